/*
 * sqlite_faults.h - for ordo's own tests only: a SQLite VFS that makes the
 * disk under the database fill up or fail on demand (sqlite_faults.c).
 * Only sqlite.c uses it, and only when store_options.test_io_faults names
 * a control file (ORDO_TEST_IO_FAULTS in the command's environment).
 */
#ifndef ORDO_STORE_SQLITE_FAULTS_H
#define ORDO_STORE_SQLITE_FAULTS_H

#include "core/err.h"

/*
 * Register the fault-injecting VFS (once per process), driven by the
 * control file at path control, and put its name in *vfs_name, to open
 * connections with. A process has one control file: asking again with
 * another is ORDO_EINVALID.
 */
ordo_code sq_faults_vfs(const char *control, const char **vfs_name,
			ordo_err *err);

#endif
