# embed.cmake - turn files into C arrays at build time.
#
# Run as a script: cmake -DOUT=file.c -DNAME=symbol -DINPUTS="a;b;c" -P embed.cmake
# Writes, for the files in INPUTS (in order):
#   const struct ordo_embedded NAME[] = {{"basename", bytes, len}, ...};
#   const size_t NAME_count;
# Each bytes array ends with a NUL that len does not count, so text files can
# be used as C strings.
set(body "#include <stddef.h>\n#include \"embedded.h\"\n")
set(table "")
set(i 0)
foreach(path IN LISTS INPUTS)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  get_filename_component(base "${path}" NAME)
  string(APPEND body "static const unsigned char ${NAME}_${i}[] = {${bytes}0x00};\n")
  string(APPEND table "  {\"${base}\", ${NAME}_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "const struct ordo_embedded ${NAME}[] = {\n${table}};\n")
string(APPEND body "const size_t ${NAME}_count = ${i};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
