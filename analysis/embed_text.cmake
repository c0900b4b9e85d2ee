# embed_text.cmake - writes a C file holding a text file's bytes, so a
# program carries the file without an install step.
# cmake -DINPUT=file.txt -DOUTPUT=file.c -DSYMBOL=name -DHEADER=header.h -P embed_text.cmake
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" hex_length)
math(EXPR length "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "(char)0x\\1," bytes "${content}")
# CMake regular expressions have no {n}: eight bytes per line, spelt out.
string(REGEX REPLACE "(\\(char\\)0x..,\\(char\\)0x..,\\(char\\)0x..,\\(char\\)0x..,\\(char\\)0x..,\\(char\\)0x..,\\(char\\)0x..,\\(char\\)0x..,)" "\\1\n    "
       bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
     "/* Generated from ${INPUT} by embed_text.cmake: do not edit. */\n"
     "#include \"${HEADER}\"\n\n"
     "const char ${SYMBOL}_text[] = {\n    ${bytes}0x00};\n"
     "const size_t ${SYMBOL}_length = ${length};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
