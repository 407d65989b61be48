# no_tx.cmake - the API never sees a transaction: no file under src/api
# names store_tx or runs storage work itself (store_read_begin,
# store_write, store_submit). It decodes into commands of the use-case
# layer and encodes their outputs; reads go through app/queries.h.
file(GLOB files ${SOURCE_DIR}/src/api/*.c ${SOURCE_DIR}/src/api/*.h)
set(found "")
foreach(f IN LISTS files)
  file(STRINGS ${f} lines REGEX "store_tx[^a-z_]|store_read_begin[(]|store_write[(]|store_submit[(]")
  foreach(l IN LISTS lines)
    string(APPEND found "${f}: ${l}\n")
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "the API works on a transaction:\n${found}")
endif()
