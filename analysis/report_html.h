/*
 * report_html.h - report.html: one self-contained page with everything a
 * researcher looks at for one session (session facts, warnings, settings,
 * region table, timeline, heatmaps, series), images embedded as base64
 * data URIs so the file can be mailed or archived on its own.
 */
#ifndef MTABLE_REPORT_HTML_H
#define MTABLE_REPORT_HTML_H

#include "analysis.h"
#include "output_dir.h"

/* Writes report.html into dir, embedding the PNG files already written there. */
int report_html_write(const struct analysis_outcome *outcome, const struct output_dir *dir,
                      const char *path);

#endif
