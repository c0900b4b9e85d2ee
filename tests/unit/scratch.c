/*
 * scratch.c - mkstemp and mkdtemp under /tmp.
 */
#include "scratch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

char scratch_path[] = "/tmp/mtable-test-XXXXXX";
char scratch_directory[] = "/tmp/mtable-test-dir-XXXXXX";

int scratch_file_create(void **state)
{
    (void)state;
    int fd = mkstemp(scratch_path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int scratch_file_remove(void **state)
{
    (void)state;
    return unlink(scratch_path);
}

void scratch_file_write(const char *text)
{
    FILE *f = fopen(scratch_path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

int scratch_directory_create(void **state)
{
    (void)state;
    return mkdtemp(scratch_directory) == NULL ? -1 : 0;
}

int scratch_directory_remove(void **state)
{
    (void)state;
    char command[64];
    snprintf(command, sizeof(command), "rm -rf '%s'", scratch_directory);
    return system(command) == 0 ? 0 : -1;
}
