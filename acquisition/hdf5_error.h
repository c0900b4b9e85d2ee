/*
 * hdf5_error.h - HDF5's error stack as one line for a user.
 *
 * The session writer and the analysis switch HDF5's automatic error
 * printing off and describe a failed call themselves: by the innermost
 * message on the stack (the one that says what actually went wrong),
 * without its "name = value" dumps, plus the operating system's errno when
 * a level of the stack reports one ("No space left on device").
 */
#ifndef MTABLE_HDF5_ERROR_H
#define MTABLE_HDF5_ERROR_H

#include <stddef.h>

/*
 * Writes the innermost message of this thread's HDF5 error stack to
 * description (size bytes) and clears the stack. Returns the errno a level
 * of the stack reported, or 0 if none did.
 */
int hdf5_error_take(char *description, size_t size);

#endif
