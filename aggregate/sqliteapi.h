/*
 * The parts of sqlite3.h that pftls_rows (rowsvtab.c) and pftls_chunks
 * (chunksvtab.c) use, copied from SQLite's public
 * header (public domain). go-sqlite3 compiles SQLite into the binary; these
 * declarations resolve against it at link time. The structures are SQLite's
 * stable virtual-table ABI: later versions only append fields, and
 * iVersion 1 of sqlite3_module tells SQLite to read no further than
 * xRename.
 */
#ifndef PFTLS_SQLITEAPI_H
#define PFTLS_SQLITEAPI_H

typedef long long sqlite3_int64;
typedef unsigned long long sqlite3_uint64;
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;
typedef struct sqlite3_api_routines sqlite3_api_routines;
typedef struct sqlite3_vtab sqlite3_vtab;
typedef struct sqlite3_vtab_cursor sqlite3_vtab_cursor;
typedef struct sqlite3_index_info sqlite3_index_info;
typedef struct sqlite3_module sqlite3_module;
typedef struct sqlite3_stmt sqlite3_stmt;

struct sqlite3_module {
  int iVersion;
  int (*xCreate)(sqlite3*, void *pAux, int argc, const char *const*argv, sqlite3_vtab **ppVTab, char**);
  int (*xConnect)(sqlite3*, void *pAux, int argc, const char *const*argv, sqlite3_vtab **ppVTab, char**);
  int (*xBestIndex)(sqlite3_vtab *pVTab, sqlite3_index_info*);
  int (*xDisconnect)(sqlite3_vtab *pVTab);
  int (*xDestroy)(sqlite3_vtab *pVTab);
  int (*xOpen)(sqlite3_vtab *pVTab, sqlite3_vtab_cursor **ppCursor);
  int (*xClose)(sqlite3_vtab_cursor*);
  int (*xFilter)(sqlite3_vtab_cursor*, int idxNum, const char *idxStr, int argc, sqlite3_value **argv);
  int (*xNext)(sqlite3_vtab_cursor*);
  int (*xEof)(sqlite3_vtab_cursor*);
  int (*xColumn)(sqlite3_vtab_cursor*, sqlite3_context*, int);
  int (*xRowid)(sqlite3_vtab_cursor*, sqlite3_int64 *pRowid);
  int (*xUpdate)(sqlite3_vtab *, int, sqlite3_value **, sqlite3_int64 *);
  int (*xBegin)(sqlite3_vtab *pVTab);
  int (*xSync)(sqlite3_vtab *pVTab);
  int (*xCommit)(sqlite3_vtab *pVTab);
  int (*xRollback)(sqlite3_vtab *pVTab);
  int (*xFindFunction)(sqlite3_vtab *pVtab, int nArg, const char *zName,
                       void (**pxFunc)(sqlite3_context*,int,sqlite3_value**), void **ppArg);
  int (*xRename)(sqlite3_vtab *pVtab, const char *zNew);
};

struct sqlite3_index_info {
  int nConstraint;
  struct sqlite3_index_constraint {
     int iColumn;
     unsigned char op;
     unsigned char usable;
     int iTermOffset;
  } *aConstraint;
  int nOrderBy;
  struct sqlite3_index_orderby {
     int iColumn;
     unsigned char desc;
  } *aOrderBy;
  struct sqlite3_index_constraint_usage {
    int argvIndex;
    unsigned char omit;
  } *aConstraintUsage;
  int idxNum;
  char *idxStr;
  int needToFreeIdxStr;
  int orderByConsumed;
  double estimatedCost;
  sqlite3_int64 estimatedRows;
  int idxFlags;
  sqlite3_uint64 colUsed;
};

struct sqlite3_vtab {
  const sqlite3_module *pModule;
  int nRef;
  char *zErrMsg;
};

struct sqlite3_vtab_cursor {
  sqlite3_vtab *pVtab;
};

typedef void (*sqlite3_destructor_type)(void*);
#define SQLITE_STATIC      ((sqlite3_destructor_type)0)
#define SQLITE_TRANSIENT   ((sqlite3_destructor_type)-1)

#define SQLITE_OK           0
#define SQLITE_ERROR        1
#define SQLITE_NOMEM        7
#define SQLITE_CONSTRAINT  19
#define SQLITE_ROW        100
#define SQLITE_DONE       101

#define SQLITE_INTEGER  1
#define SQLITE_FLOAT    2
#define SQLITE_TEXT     3
#define SQLITE_BLOB     4
#define SQLITE_INDEX_CONSTRAINT_EQ 2

int sqlite3_auto_extension(void(*xEntryPoint)(void));
int sqlite3_create_module(sqlite3 *db, const char *zName, const sqlite3_module *p, void *pClientData);
int sqlite3_declare_vtab(sqlite3*, const char *zSQL);
void *sqlite3_malloc64(sqlite3_uint64);
void sqlite3_free(void*);
char *sqlite3_mprintf(const char*,...);
const void *sqlite3_value_blob(sqlite3_value*);
int sqlite3_value_bytes(sqlite3_value*);
sqlite3_int64 sqlite3_value_int64(sqlite3_value*);
void sqlite3_result_int64(sqlite3_context*, sqlite3_int64);
void sqlite3_result_double(sqlite3_context*, double);
void sqlite3_result_null(sqlite3_context*);
void sqlite3_result_text(sqlite3_context*, const char*, int, void(*)(void*));
void sqlite3_result_blob(sqlite3_context*, const void*, int, void(*)(void*));
const unsigned char *sqlite3_value_text(sqlite3_value*);
void *sqlite3_realloc64(void*, sqlite3_uint64);
const char *sqlite3_errmsg(sqlite3*);

int sqlite3_prepare_v2(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt, const char **pzTail);
int sqlite3_stmt_readonly(sqlite3_stmt *pStmt);
int sqlite3_bind_parameter_count(sqlite3_stmt*);
int sqlite3_bind_int64(sqlite3_stmt*, int, sqlite3_int64);
int sqlite3_bind_double(sqlite3_stmt*, int, double);
int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int n, void(*)(void*));
int sqlite3_bind_null(sqlite3_stmt*, int);
int sqlite3_step(sqlite3_stmt*);
int sqlite3_finalize(sqlite3_stmt *pStmt);
int sqlite3_column_count(sqlite3_stmt *pStmt);
int sqlite3_column_type(sqlite3_stmt*, int iCol);
sqlite3_int64 sqlite3_column_int64(sqlite3_stmt*, int iCol);
double sqlite3_column_double(sqlite3_stmt*, int iCol);
const unsigned char *sqlite3_column_text(sqlite3_stmt*, int iCol);
const void *sqlite3_column_blob(sqlite3_stmt*, int iCol);
int sqlite3_column_bytes(sqlite3_stmt*, int iCol);

/* PFTLS_ROWS_COLS is the most values a pftls_rows row may have. */
#define PFTLS_ROWS_COLS 40

/* vtab.c: the little-endian numbers of the value format. */
sqlite3_uint64 pftls_get_le(const unsigned char *p, int n);
void pftls_put_le(unsigned char *p, sqlite3_uint64 v, int n);

/* pftls_value_size is the size (tag and payload) of the packed value at
 * p, of which n bytes are there; 0 when it is cut short or its tag is
 * unknown, and then *why says which. Tags: 'n' NULL, 'i' integer and 'f'
 * double (8 bytes little-endian), 't' text and 'b' blob (a 4-byte
 * little-endian length and the bytes). */
sqlite3_int64 pftls_value_size(const unsigned char *p, sqlite3_int64 n, const char **why);

/* pftls_best_index_args requires the n (at most PFTLS_MAX_ARGS) hidden
 * columns cols as equality constraints, passed to the filter as its
 * arguments in that order; usage is the error when one is missing. */
#define PFTLS_MAX_ARGS 4
int pftls_best_index_args(sqlite3_vtab *vt, sqlite3_index_info *info, const int *cols, int n,
                          const char *usage);

/* The modules' entry points (rowsvtab.c, chunksvtab.c). */
int pftls_rows_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);
int pftls_chunks_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);

/* pftls_register makes pftls_rows and pftls_chunks available on every
 * SQLite connection the process opens from now on. */
int pftls_register(void);

#endif
