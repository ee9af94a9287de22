/*
 * pftls_chunks: a table-valued function that runs one read-only query and
 * hands its rows back packed, many rows to a blob:
 *
 *   SELECT data FROM pftls_chunks(?, ?, ?)  -- query, parameters, columns
 *
 * A report reads a window's facts this way: one driver call per chunk of
 * rows instead of one per row, and no Go value boxed per column (chunks.go).
 *
 * The parameters are one row in the format of pftls_rows (rowsvtab.c).
 * Each result row is a blob of whole rows of the query, in
 * the query's order, in that same format. A chunk ends after the row that
 * takes it to PFTLS_CHUNK_BYTES or past. The query must return exactly
 * the number of columns given, which the reader splits the rows by.
 * The query runs on the connection of the statement that reads it, in
 * the same transaction. Only one read-only statement that returns rows
 * is run: anything else (a write, BEGIN, a PRAGMA that sets, a second
 * statement) is refused.
 */
#include <string.h>
#include "sqliteapi.h"

#define PFTLS_CHUNK_BYTES (64 * 1024)

#define CHUNKS_COL_DATA 0
#define CHUNKS_COL_SQL  1
#define CHUNKS_COL_ARGS 2
#define CHUNKS_COL_NCOL 3

typedef struct chunks_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
} chunks_vtab;

typedef struct chunks_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *stmt;           /* the query; 0 once it is done */
  unsigned char *buf;           /* the current chunk */
  sqlite3_int64 len, cap;
  sqlite3_int64 chunk;          /* 1-based number of the current chunk */
  int eof;
} chunks_cursor;

static int chunks_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                          sqlite3_vtab **out, char **err) {
  (void)aux; (void)argc; (void)argv; (void)err;
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(data, sql HIDDEN, args HIDDEN, ncol HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  chunks_vtab *vt = sqlite3_malloc64(sizeof(*vt));
  if (vt == 0) return SQLITE_NOMEM;
  memset(vt, 0, sizeof(*vt));
  vt->db = db;
  *out = &vt->base;
  return SQLITE_OK;
}

static int chunks_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

/* chunks_best_index requires the three hidden arguments, as equality constraints. */
static int chunks_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  static const int args[] = {CHUNKS_COL_SQL, CHUNKS_COL_ARGS, CHUNKS_COL_NCOL};
  return pftls_best_index_args(vt, info, args, 3,
                               "pftls_chunks needs three arguments: the query, its parameters and its number of columns");
}

static int chunks_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out) {
  (void)vt;
  chunks_cursor *c = sqlite3_malloc64(sizeof(*c));
  if (c == 0) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->eof = 1;
  *out = &c->base;
  return SQLITE_OK;
}

static void chunks_reset(chunks_cursor *c) {
  sqlite3_finalize(c->stmt); /* a no-op on 0 */
  c->stmt = 0;
  c->len = 0;
  c->chunk = 0;
  c->eof = 1;
}

static int chunks_close(sqlite3_vtab_cursor *cur) {
  chunks_cursor *c = (chunks_cursor *)cur;
  chunks_reset(c);
  sqlite3_free(c->buf);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* chunks_fail ends the scan with an error. The message is made before
 * the query is finalized: detail may be its sqlite3_errmsg. */
static int chunks_fail(chunks_cursor *c, int rc, const char *why, const char *detail) {
  sqlite3_vtab *vt = c->base.pVtab;
  sqlite3_free(vt->zErrMsg);
  vt->zErrMsg = detail ? sqlite3_mprintf("pftls_chunks: %s: %s", why, detail)
                       : sqlite3_mprintf("pftls_chunks: %s", why);
  chunks_reset(c);
  return rc == SQLITE_OK ? SQLITE_ERROR : rc;
}

/* chunks_room makes room for n more bytes in the chunk. */
static int chunks_room(chunks_cursor *c, sqlite3_int64 n) {
  if (c->len + n <= c->cap) return SQLITE_OK;
  sqlite3_int64 cap = c->cap ? c->cap : PFTLS_CHUNK_BYTES + PFTLS_CHUNK_BYTES / 4;
  while (cap < c->len + n) cap *= 2;
  unsigned char *b = sqlite3_realloc64(c->buf, (sqlite3_uint64)cap);
  if (b == 0) return SQLITE_NOMEM;
  c->buf = b;
  c->cap = cap;
  return SQLITE_OK;
}

/* chunks_put_num appends a value of tag 'n' (no payload), 'i' or 'f' (8
 * bytes). */
static int chunks_put_num(chunks_cursor *c, unsigned char tag, sqlite3_uint64 v) {
  int rc = chunks_room(c, 9);
  if (rc != SQLITE_OK) return rc;
  c->buf[c->len++] = tag;
  if (tag != 'n') {
    pftls_put_le(c->buf + c->len, v, 8);
    c->len += 8;
  }
  return SQLITE_OK;
}

/* chunks_put_bytes appends a value of tag 't' or 'b': n, 4 bytes, and the
 * n bytes at p. */
static int chunks_put_bytes(chunks_cursor *c, unsigned char tag, const void *p, int n) {
  int rc = chunks_room(c, 5 + (sqlite3_int64)n);
  if (rc != SQLITE_OK) return rc;
  c->buf[c->len++] = tag;
  pftls_put_le(c->buf + c->len, (sqlite3_uint64)n, 4);
  c->len += 4;
  if (n > 0) memcpy(c->buf + c->len, p, (size_t)n);
  c->len += n;
  return SQLITE_OK;
}

/* chunks_fill packs the query's next rows into a new chunk, until it is
 * full or the query is done. */
static int chunks_fill(chunks_cursor *c) {
  c->len = 0;
  c->chunk++;
  while (c->stmt != 0 && c->len < PFTLS_CHUNK_BYTES) {
    int rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_DONE) {
      sqlite3_finalize(c->stmt);
      c->stmt = 0;
      break;
    }
    if (rc != SQLITE_ROW) {
      chunks_vtab *vt = (chunks_vtab *)c->base.pVtab;
      return chunks_fail(c, rc, "query", sqlite3_errmsg(vt->db));
    }
    int ncol = sqlite3_column_count(c->stmt);
    for (int i = 0; i < ncol && rc == SQLITE_ROW; i++) {
      switch (sqlite3_column_type(c->stmt, i)) {
      case SQLITE_INTEGER:
        rc = chunks_put_num(c, 'i', (sqlite3_uint64)sqlite3_column_int64(c->stmt, i));
        break;
      case SQLITE_FLOAT: {
        double d = sqlite3_column_double(c->stmt, i);
        sqlite3_uint64 bits;
        memcpy(&bits, &d, sizeof bits);
        rc = chunks_put_num(c, 'f', bits);
        break;
      }
      case SQLITE_TEXT: {
        const unsigned char *t = sqlite3_column_text(c->stmt, i);
        rc = chunks_put_bytes(c, 't', t, sqlite3_column_bytes(c->stmt, i));
        break;
      }
      case SQLITE_BLOB: {
        const void *b = sqlite3_column_blob(c->stmt, i);
        rc = chunks_put_bytes(c, 'b', b, sqlite3_column_bytes(c->stmt, i));
        break;
      }
      default:
        rc = chunks_put_num(c, 'n', 0);
      }
      if (rc == SQLITE_OK) rc = SQLITE_ROW;
    }
    if (rc != SQLITE_ROW) return chunks_fail(c, rc, "out of memory", 0);
  }
  c->eof = c->len == 0;
  return SQLITE_OK;
}

/* chunks_bind binds the parameters packed in args (n bytes) to the query. */
static int chunks_bind(chunks_cursor *c, const unsigned char *args, sqlite3_int64 n) {
  int want = sqlite3_bind_parameter_count(c->stmt), got = 0;
  sqlite3_int64 pos = 0;
  while (pos < n) {
    int rc = SQLITE_OK, i = ++got;
    if (i > want) return chunks_fail(c, SQLITE_ERROR, "more parameters than the query has", 0);
    const char *why = 0;
    sqlite3_int64 size = pftls_value_size(args + pos, n - pos, &why);
    if (size == 0) return chunks_fail(c, SQLITE_ERROR, "parameter", why);
    const unsigned char *p = args + pos;
    /* A length fits an int: a blob is at most SQLite's 1 GB limit. */
    switch (p[0]) {
    case 'n':
      rc = sqlite3_bind_null(c->stmt, i);
      break;
    case 'i':
      rc = sqlite3_bind_int64(c->stmt, i, (sqlite3_int64)pftls_get_le(p + 1, 8));
      break;
    case 'f': {
      sqlite3_uint64 v = pftls_get_le(p + 1, 8);
      double d;
      memcpy(&d, &v, sizeof d);
      rc = sqlite3_bind_double(c->stmt, i, d);
      break;
    }
    case 't':
      rc = sqlite3_bind_text(c->stmt, i, (const char *)p + 5, (int)(size - 5), SQLITE_TRANSIENT);
      break;
    default: /* 'b' */
      rc = sqlite3_bind_blob(c->stmt, i, p + 5, (int)(size - 5), SQLITE_TRANSIENT);
    }
    pos += size;
    if (rc != SQLITE_OK) {
      chunks_vtab *vt = (chunks_vtab *)c->base.pVtab;
      return chunks_fail(c, rc, "bind", sqlite3_errmsg(vt->db));
    }
  }
  if (got != want) return chunks_fail(c, SQLITE_ERROR, "fewer parameters than the query has", 0);
  return SQLITE_OK;
}

static int chunks_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* chunks_word reports whether p starts with the keyword w (upper case) in
 * any case, followed by a space or a parenthesis. */
static int chunks_word(const char *p, const char *w) {
  for (; *w; p++, w++) {
    char ch = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    if (ch != *w) return 0;
  }
  return chunks_space(*p) || *p == '(';
}

/* chunks_starts_query reports whether sql starts with SELECT or WITH. */
static int chunks_starts_query(const char *sql) {
  while (chunks_space(*sql)) sql++;
  return chunks_word(sql, "SELECT") || chunks_word(sql, "WITH");
}

static int chunks_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                         int argc, sqlite3_value **argv) {
  (void)idxNum; (void)idxStr;
  chunks_cursor *c = (chunks_cursor *)cur;
  chunks_vtab *vt = (chunks_vtab *)cur->pVtab;
  chunks_reset(c);
  if (argc != 3) return chunks_fail(c, SQLITE_ERROR, "needs the query, its parameters and its number of columns", 0);
  const char *sql = (const char *)sqlite3_value_text(argv[0]);
  if (sql == 0) return chunks_fail(c, SQLITE_ERROR, "no query", 0);
  /* Some PRAGMAs take effect when they are prepared: refuse anything
   * that does not start as a query before SQLite sees it. */
  if (!chunks_starts_query(sql)) return chunks_fail(c, SQLITE_ERROR, "not a query that only reads", 0);
  const char *tail = 0;
  int rc = sqlite3_prepare_v2(vt->db, sql, -1, &c->stmt, &tail);
  if (rc != SQLITE_OK) return chunks_fail(c, rc, "prepare", sqlite3_errmsg(vt->db));
  if (c->stmt == 0) return chunks_fail(c, SQLITE_ERROR, "no query", 0);
  while (tail && chunks_space(*tail)) tail++;
  if (tail && *tail) return chunks_fail(c, SQLITE_ERROR, "more than one statement", 0);
  /* BEGIN, ATTACH and PRAGMAs that set are "read-only" to SQLite but
   * return no rows: a query returns at least one column. */
  if (!sqlite3_stmt_readonly(c->stmt) || sqlite3_column_count(c->stmt) == 0) {
    return chunks_fail(c, SQLITE_ERROR, "not a query that only reads", 0);
  }
  if (sqlite3_column_count(c->stmt) != sqlite3_value_int64(argv[2])) {
    char *why = sqlite3_mprintf("the query returns %d columns, not %lld", sqlite3_column_count(c->stmt),
                                sqlite3_value_int64(argv[2]));
    rc = chunks_fail(c, SQLITE_ERROR, why ? why : "the query returns another number of columns", 0);
    sqlite3_free(why);
    return rc;
  }
  const unsigned char *args = sqlite3_value_blob(argv[1]);
  rc = chunks_bind(c, args, args ? sqlite3_value_bytes(argv[1]) : 0);
  if (rc != SQLITE_OK) return rc;
  return chunks_fill(c);
}

static int chunks_next(sqlite3_vtab_cursor *cur) {
  chunks_cursor *c = (chunks_cursor *)cur;
  if (c->stmt == 0) {
    c->eof = 1;
    return SQLITE_OK;
  }
  return chunks_fill(c);
}

static int chunks_eof(sqlite3_vtab_cursor *cur) {
  return ((chunks_cursor *)cur)->eof;
}

static int chunks_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  chunks_cursor *c = (chunks_cursor *)cur;
  if (i != CHUNKS_COL_DATA) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  /* The length fits an int: a chunk is a row or so past 64 KiB. */
  sqlite3_result_blob(ctx, c->buf, (int)c->len, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int chunks_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((chunks_cursor *)cur)->chunk;
  return SQLITE_OK;
}

static const sqlite3_module chunks_module = {
  1,               /* iVersion */
  0,               /* xCreate: eponymous only, no CREATE VIRTUAL TABLE */
  chunks_connect,
  chunks_best_index,
  chunks_disconnect,
  0,               /* xDestroy */
  chunks_open,
  chunks_close,
  chunks_filter,
  chunks_next,
  chunks_eof,
  chunks_column,
  chunks_rowid,
  0, 0, 0, 0, 0, 0, 0 /* read only: no xUpdate, transactions, functions, rename */
};

int pftls_chunks_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  (void)err; (void)api;
  return sqlite3_create_module(db, "pftls_chunks", &chunks_module, 0);
}
