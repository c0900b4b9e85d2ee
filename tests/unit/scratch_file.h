/*
 * scratch_file.h - one temporary file per test program, for the tests of
 * parsers that read files: each case writes its text there and parses it,
 * and error messages name it (scratch_path).
 */
#ifndef MTABLE_TEST_SCRATCH_FILE_H
#define MTABLE_TEST_SCRATCH_FILE_H

/* Path of the scratch file, once scratch_file_create has run. */
extern char scratch_path[];

/* cmocka group set-up: creates the scratch file. */
int scratch_file_create(void **state);

/* cmocka group tear-down: removes it. */
int scratch_file_remove(void **state);

/* Replaces the scratch file's content with text (the test fails if it cannot). */
void scratch_file_write(const char *text);

#endif
