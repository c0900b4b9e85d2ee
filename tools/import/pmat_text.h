/*
 * pmat_text.h - pressure frames from text files such as the PhysioNet
 * PmatData exports (../shared/data/README.md), read one frame at a time.
 *
 * Two layouts, told apart by the first line:
 *   frame per line   each line is one frame, rows x cols values in row-major
 *                    order (experiment i: 2048 tab-separated values, a
 *                    trailing tab, CRLF; 64 x 32 unless a grid is given)
 *   matrix           the whole file is one frame, one grid row per line
 *                    (experiment ii: 64 lines of 27 values)
 * Values are whole numbers 0..65535 separated by tabs or spaces; blank
 * lines are skipped. Errors name the file and line.
 */
#ifndef MTABLE_PMAT_TEXT_H
#define MTABLE_PMAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Values per line that mean a PmatData experiment i frame of 64 x 32. */
#define PMAT_TEXT_EXPERIMENT_I_VALUES 2048

/* Most values in one frame (hw/PROTOCOL.md's largest grid). */
#define PMAT_TEXT_MAX_TAXELS 16384

/* Fewest non-zero values of a garbage frame: a nearly empty frame is never taken for one. */
#define PMAT_TEXT_GARBAGE_MIN_VALUES 64

/* Share of multiples of 256 among the non-zero values of a garbage frame (97 % measured). */
#define PMAT_TEXT_GARBAGE_PERCENT 90

/* Room for an error message. */
#define PMAT_TEXT_ERROR_SIZE 512

/* How a file is laid out. */
enum pmat_text_layout {
    PMAT_TEXT_FRAME_PER_LINE,
    PMAT_TEXT_MATRIX,
};

/* An open text file of frames. */
struct pmat_text {
    const char *path;
    FILE *file;
    enum pmat_text_layout layout;
    int rows, cols;
    unsigned line; /* lines read so far */
    char *buffer;  /* the current line */
    size_t capacity;
    bool first_frame_pending; /* matrix: the frame is still to be handed out */
    uint16_t *matrix;         /* matrix: the file's one frame */
};

/*
 * Opens path and finds its layout and grid. rows and cols, if not 0, give
 * the grid: lines of rows x cols values are frames, lines of cols values a
 * matrix of rows lines. Without them, 2048 values on the first line mean
 * frames of 64 x 32, any other number a matrix.
 */
int pmat_text_open(const char *path, int rows, int cols, struct pmat_text *text, char *error,
                   size_t error_size);

/* Reads the next frame into values (rows x cols): 1, 0 at the end, or a negative errno. */
int pmat_text_next(struct pmat_text *text, uint16_t *values, char *error, size_t error_size);

/*
 * True for the PmatData garbage frame (frame 1 of nearly every experiment i
 * file: high bytes with almost no low byte): at least
 * PMAT_TEXT_GARBAGE_MIN_VALUES non-zero values, and at least
 * PMAT_TEXT_GARBAGE_PERCENT % of the non-zero values multiples of 256. A
 * genuine frame has about 1 in 256 by chance.
 */
bool pmat_text_is_garbage(const uint16_t *values, size_t taxels);

/* Closes the file. */
void pmat_text_close(struct pmat_text *text);

#endif
