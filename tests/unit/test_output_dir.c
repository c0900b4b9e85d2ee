/*
 * test_output_dir.c - an output directory appears whole or not at all: its
 * files are written under a temporary name and renamed into place; an
 * abandoned one leaves nothing; an earlier output directory is replaced, but
 * a directory mtable-analyze did not write, or a file, is never touched.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"

#include "output_dir.h"

/* Entries of directory other than . and .., counted. */
static int entries(const char *path)
{
    DIR *dir = opendir(path);
    assert_non_null(dir);
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)))
        count += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    closedir(dir);
    return count;
}

static void write_file(const struct output_dir *dir, const char *name)
{
    char path[OUTPUT_DIR_PATH_MAX];
    assert_int_equal(output_dir_file(dir, name, path, sizeof(path)), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(name, f);
    fclose(f);
}

static void test_commit_and_replace(void **state)
{
    (void)state;
    char final[512], check[600], error[1024];
    snprintf(final, sizeof(final), "%s/S1.analysis", scratch_directory);
    struct output_dir dir;
    assert_int_equal(output_dir_begin(final, &dir, error, sizeof(error)), 0);
    write_file(&dir, "one.csv");
    /* Nothing under the final name until the commit. */
    assert_int_equal(access(final, F_OK), -1);
    assert_int_equal(output_dir_commit(&dir, error, sizeof(error)), 0);
    snprintf(check, sizeof(check), "%s/one.csv", final);
    assert_int_equal(access(check, F_OK), 0);
    /* A second run replaces it whole. */
    assert_int_equal(output_dir_begin(final, &dir, error, sizeof(error)), 0);
    write_file(&dir, "two.csv");
    assert_int_equal(output_dir_commit(&dir, error, sizeof(error)), 0);
    assert_int_equal(access(check, F_OK), -1);
    snprintf(check, sizeof(check), "%s/two.csv", final);
    assert_int_equal(access(check, F_OK), 0);
    /* The marker and two.csv; nothing else left in the parent. */
    assert_int_equal(entries(final), 2);
    assert_int_equal(entries(scratch_directory), 1);
}

static void test_abandon_leaves_nothing(void **state)
{
    (void)state;
    char final[512], error[1024];
    snprintf(final, sizeof(final), "%s/S2.analysis", scratch_directory);
    int before = entries(scratch_directory);
    struct output_dir dir;
    assert_int_equal(output_dir_begin(final, &dir, error, sizeof(error)), 0);
    write_file(&dir, "half.csv");
    output_dir_abandon(&dir);
    assert_int_equal(entries(scratch_directory), before);
}

static void test_foreign_paths_untouched(void **state)
{
    (void)state;
    char final[512], error[1024], expected[1200];
    struct output_dir dir;
    snprintf(final, sizeof(final), "%s/mine", scratch_directory);
    assert_int_equal(mkdir(final, 0755), 0);
    assert_int_equal(output_dir_begin(final, &dir, error, sizeof(error)), -EEXIST);
    snprintf(expected, sizeof(expected),
             "%s: exists and was not written by mtable-analyze; remove it or choose another "
             "--out",
             final);
    assert_string_equal(error, expected);
    snprintf(final, sizeof(final), "%s/file", scratch_directory);
    FILE *f = fopen(final, "w");
    fclose(f);
    assert_int_equal(output_dir_begin(final, &dir, error, sizeof(error)), -EEXIST);
    snprintf(final, sizeof(final), "%s/no/such/parent", scratch_directory);
    assert_int_equal(output_dir_begin(final, &dir, error, sizeof(error)), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_and_replace),
        cmocka_unit_test(test_abandon_leaves_nothing),
        cmocka_unit_test(test_foreign_paths_untouched),
    };
    return cmocka_run_group_tests(tests, scratch_directory_create, scratch_directory_remove);
}
