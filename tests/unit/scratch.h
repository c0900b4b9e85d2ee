/*
 * scratch.h - temporary files for tests: one scratch file, for the tests of
 * parsers (each case writes its text there and parses it; error messages
 * name it), and one scratch directory, for tests that make files of their
 * own. Both are cmocka group set-ups and tear-downs.
 */
#ifndef MTABLE_TEST_SCRATCH_H
#define MTABLE_TEST_SCRATCH_H

/* Path of the scratch file, once scratch_file_create has run. */
extern char scratch_path[];

/* Path of the scratch directory, once scratch_directory_create has run. */
extern char scratch_directory[];

/* cmocka group set-up: creates the scratch file. */
int scratch_file_create(void **state);

/* cmocka group tear-down: removes it. */
int scratch_file_remove(void **state);

/* Replaces the scratch file's content with text (the test fails if it cannot). */
void scratch_file_write(const char *text);

/* cmocka group set-up: creates the scratch directory. */
int scratch_directory_create(void **state);

/* cmocka group tear-down: removes it and everything in it. */
int scratch_directory_remove(void **state);

#endif
