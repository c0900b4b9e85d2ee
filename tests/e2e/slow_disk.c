/*
 * slow_disk.c - an LD_PRELOAD shim that makes the disk slow, for tests.
 *
 * Every pwrite() (HDF5's sec2 driver writes only through it) first sleeps
 * MTABLE_SLOW_DISK_US microseconds, as a stalling disk would. Loaded into
 * mtable-acqd by the reliability test to make its writer thread slower
 * than its reader without any test hook in the daemon itself.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*pwrite_function)(int, const void *, size_t, off_t);

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset);
ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset);

static ssize_t slow_pwrite(const char *name, int fd, const void *buffer, size_t count, off_t offset)
{
    pwrite_function real = (pwrite_function)dlsym(RTLD_NEXT, name);
    const char *delay = getenv("MTABLE_SLOW_DISK_US");
    if (delay != NULL)
        usleep((useconds_t)strtoul(delay, NULL, 10));
    return real(fd, buffer, count, offset);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset)
{
    return slow_pwrite("pwrite", fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset)
{
    return slow_pwrite("pwrite64", fd, buffer, count, offset);
}
