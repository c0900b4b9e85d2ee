/*
 * test_session_path.c - ids that could escape the output directory are
 * refused, and file names follow FILE_FORMAT.md section 5.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "session_path.h"

static void test_ids(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        bool valid;
    } cases[] = {
        {"S01", true},
        {"subject_7-b.2", true},
        {"a", true},
        {"0123456789012345678901234567890123456789012345678901234567890123", true},   /* 64 */
        {"01234567890123456789012345678901234567890123456789012345678901234", false}, /* 65 */
        {"", false},
        {".hidden", false},
        {"..", false},
        {"../etc", false},
        {"a/b", false},
        {"/abs", false},
        {"with space", false},
        {"tab\there", false},
        {"new\nline", false},
        {"Zoë", false}, /* non-ASCII */
        {"semi;colon", false},
        {"star*", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (session_path_valid_id(cases[i].id) != cases[i].valid)
            fail_msg("id '%s' should be %s", cases[i].id, cases[i].valid ? "valid" : "refused");
    }
}

static void test_names(void **state)
{
    (void)state;
    char id[128], path[256];
    /* 1763730902 s is 2025-11-21 13:15:02 UTC (date -u -d @1763730902). */
    int64_t start = 1763730902LL * 1000000000LL + 999999999LL;
    assert_int_equal(
        session_path_make("/data", "S01", start, 1, id, sizeof(id), path, sizeof(path)), 0);
    assert_string_equal(id, "S01-20251121T131502Z");
    assert_string_equal(path, "/data/S01-20251121T131502Z.h5");
    assert_int_equal(
        session_path_make("/data", "S01", start, 3, id, sizeof(id), path, sizeof(path)), 0);
    assert_string_equal(id, "S01-20251121T131502Z-3");
    assert_string_equal(path, "/data/S01-20251121T131502Z-3.h5");
    /* 946684800 s is 2000-01-01 00:00:00 UTC. */
    assert_int_equal(session_path_make("/d", "x", 946684800LL * 1000000000LL, 1, id, sizeof(id),
                                       path, sizeof(path)),
                     0);
    assert_string_equal(path, "/d/x-20000101T000000Z.h5");
}

static void test_too_long(void **state)
{
    (void)state;
    char id[16], path[256];
    assert_int_equal(session_path_make("/d", "S01", 0, 1, id, sizeof(id), path, sizeof(path)),
                     -ENAMETOOLONG);
    char id_ok[64], small_path[10];
    assert_int_equal(session_path_make("/data", "S01", 0, 1, id_ok, sizeof(id_ok), small_path,
                                       sizeof(small_path)),
                     -ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
