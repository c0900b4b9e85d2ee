/*
 * summary_json.h - summary.json: the session, the settings, the totals and
 * the per-region results of one analysis, for scripts (keys in
 * analysis/METRICS.md, "Outputs").
 */
#ifndef MTABLE_SUMMARY_JSON_H
#define MTABLE_SUMMARY_JSON_H

#include "analysis.h"

/* Writes the summary of outcome to path. 0 or a negative errno. */
int summary_json_write(const struct analysis_outcome *outcome, const char *path);

#endif
