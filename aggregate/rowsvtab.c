/*
 * pftls_rows: a table-valued function that reads rows packed by the Go
 * side (rowBuffer in rows.go), so that a batch of facts is stored by one
 * INSERT ... SELECT instead of one bind-and-step per row:
 *
 *   INSERT INTO t (a, b) SELECT c0, c1 FROM pftls_rows(?, 2)
 *
 * The first argument is a blob of rows, each of exactly ncol (the second
 * argument) values; a value is a tag byte and its payload:
 *   'n'  NULL
 *   'i'  integer, 8 bytes little-endian
 *   'f'  double, 8 bytes little-endian IEEE 754
 *   't'  text, a 4-byte little-endian length and that many bytes (UTF-8)
 *   'b'  blob, the same
 * (pftls_value_size in vtab.c reads them). A malformed blob is an error naming the row, never a read out of bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqliteapi.h"

#define PFTLS_COL_DATA  PFTLS_ROWS_COLS
#define PFTLS_COL_NCOL  (PFTLS_ROWS_COLS + 1)

typedef struct rows_cursor {
  sqlite3_vtab_cursor base;
  unsigned char *data;          /* a copy of the blob, owned */
  sqlite3_int64 len;
  sqlite3_int64 next;           /* offset of the row after the current one */
  sqlite3_int64 row;            /* 1-based number of the current row */
  int ncol;
  int eof;
  sqlite3_int64 at[PFTLS_ROWS_COLS]; /* offset of each value's tag */
} rows_cursor;

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **err) {
  (void)aux; (void)argc; (void)argv; (void)err;
  char schema[8 * PFTLS_ROWS_COLS + 64];
  char *p = schema;
  p += sprintf(p, "CREATE TABLE x(");
  for (int i = 0; i < PFTLS_ROWS_COLS; i++) p += sprintf(p, "c%d,", i);
  sprintf(p, "data HIDDEN, ncol HIDDEN)");
  int rc = sqlite3_declare_vtab(db, schema);
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab *vt = sqlite3_malloc64(sizeof(*vt));
  if (vt == 0) return SQLITE_NOMEM;
  memset(vt, 0, sizeof(*vt));
  *out = vt;
  return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

/* rows_best_index requires both hidden arguments, as equality constraints. */
static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  static const int args[] = {PFTLS_COL_DATA, PFTLS_COL_NCOL};
  return pftls_best_index_args(vt, info, args, 2,
                               "pftls_rows needs two arguments: the rows and the number of columns");
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out) {
  (void)vt;
  rows_cursor *c = sqlite3_malloc64(sizeof(*c));
  if (c == 0) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->eof = 1;
  *out = &c->base;
  return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur) {
  rows_cursor *c = (rows_cursor *)cur;
  sqlite3_free(c->data);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* rows_fail ends the scan with an error naming the row (the current one,
 * or none before the first). */
static int rows_fail(rows_cursor *c, const char *why) {
  sqlite3_vtab *vt = c->base.pVtab;
  c->eof = 1;
  sqlite3_free(vt->zErrMsg);
  if (c->row > 0) {
    vt->zErrMsg = sqlite3_mprintf("pftls_rows: row %lld: %s", c->row, why);
  } else {
    vt->zErrMsg = sqlite3_mprintf("pftls_rows: %s", why);
  }
  return SQLITE_ERROR;
}

/* rows_next finds the values of the row that starts at c->next. */
static int rows_next(sqlite3_vtab_cursor *cur) {
  rows_cursor *c = (rows_cursor *)cur;
  sqlite3_int64 pos = c->next;
  c->row++;
  if (pos >= c->len) {
    c->eof = 1;
    return SQLITE_OK;
  }
  for (int i = 0; i < c->ncol; i++) {
    if (pos >= c->len) return rows_fail(c, "fewer values than columns");
    c->at[i] = pos;
    const char *why = 0;
    sqlite3_int64 size = pftls_value_size(c->data + pos, c->len - pos, &why);
    if (size == 0) return rows_fail(c, why);
    pos += size;
  }
  c->next = pos;
  return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv) {
  (void)idxNum; (void)idxStr;
  rows_cursor *c = (rows_cursor *)cur;
  sqlite3_free(c->data);
  c->data = 0;
  c->len = c->next = c->row = 0;
  c->eof = 0;
  c->ncol = 0;
  if (argc != 2) return rows_fail(c, "needs the rows and the number of columns");
  sqlite3_int64 ncol = sqlite3_value_int64(argv[1]);
  if (ncol < 1 || ncol > PFTLS_ROWS_COLS) return rows_fail(c, "number of columns out of range");
  c->ncol = (int)ncol;
  const void *blob = sqlite3_value_blob(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  if (n > 0 && blob != 0) {
    c->data = sqlite3_malloc64((sqlite3_uint64)n);
    if (c->data == 0) return SQLITE_NOMEM;
    memcpy(c->data, blob, (size_t)n);
    c->len = n;
  }
  return rows_next(cur);
}

static int rows_eof(sqlite3_vtab_cursor *cur) {
  return ((rows_cursor *)cur)->eof;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  rows_cursor *c = (rows_cursor *)cur;
  if (i < 0 || i >= c->ncol) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  const unsigned char *p = c->data + c->at[i];
  switch (p[0]) {
  case 'i':
    sqlite3_result_int64(ctx, (sqlite3_int64)pftls_get_le(p + 1, 8));
    break;
  case 'f': {
    sqlite3_uint64 bits = pftls_get_le(p + 1, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    sqlite3_result_double(ctx, d);
    break;
  }
  case 't':
    /* The length fits an int: a blob is at most SQLite's 1 GB limit. */
    sqlite3_result_text(ctx, (const char *)p + 5, (int)pftls_get_le(p + 1, 4), SQLITE_TRANSIENT);
    break;
  case 'b':
    sqlite3_result_blob(ctx, p + 5, (int)pftls_get_le(p + 1, 4), SQLITE_TRANSIENT);
    break;
  default:
    sqlite3_result_null(ctx);
  }
  return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((rows_cursor *)cur)->row;
  return SQLITE_OK;
}

static const sqlite3_module rows_module = {
  1,               /* iVersion */
  0,               /* xCreate: eponymous only, no CREATE VIRTUAL TABLE */
  rows_connect,
  rows_best_index,
  rows_disconnect,
  0,               /* xDestroy */
  rows_open,
  rows_close,
  rows_filter,
  rows_next,
  rows_eof,
  rows_column,
  rows_rowid,
  0, 0, 0, 0, 0, 0, 0 /* read only: no xUpdate, transactions, functions, rename */
};

int pftls_rows_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  (void)err; (void)api;
  return sqlite3_create_module(db, "pftls_rows", &rows_module, 0);
}
