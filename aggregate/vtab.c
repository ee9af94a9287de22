/*
 * What the table-valued functions pftls_rows (rowsvtab.c) and
 * pftls_chunks (chunksvtab.c) share: their value format's little-endian
 * numbers and the size of a value, their required arguments, and their
 * registration.
 */
#include "sqliteapi.h"

sqlite3_uint64 pftls_get_le(const unsigned char *p, int n) {
  sqlite3_uint64 v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

void pftls_put_le(unsigned char *p, sqlite3_uint64 v, int n) {
  for (int i = 0; i < n; i++, v >>= 8) p[i] = (unsigned char)(v & 0xff);
}

sqlite3_int64 pftls_value_size(const unsigned char *p, sqlite3_int64 n, const char **why) {
  switch (n > 0 ? p[0] : 0) {
  case 'n':
    return 1;
  case 'i':
  case 'f':
    if (n >= 9) return 9;
    *why = "number cut short";
    return 0;
  case 't':
  case 'b': {
    if (n < 5) {
      *why = "text length cut short";
      return 0;
    }
    sqlite3_int64 len = (sqlite3_int64)pftls_get_le(p + 1, 4);
    if (n - 5 >= len) return 5 + len;
    *why = "text cut short";
    return 0;
  }
  }
  *why = n > 0 ? "unknown value tag" : "value missing";
  return 0;
}

int pftls_best_index_args(sqlite3_vtab *vt, sqlite3_index_info *info, const int *cols, int n,
                          const char *usage) {
  int at[PFTLS_MAX_ARGS], unusable = 0;
  if (n > PFTLS_MAX_ARGS) return SQLITE_ERROR;
  for (int k = 0; k < n; k++) at[k] = -1;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    for (int k = 0; k < n; k++) {
      if (c->iColumn != cols[k]) continue;
      if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ) unusable = 1;
      else at[k] = i;
    }
  }
  for (int k = 0; k < n; k++) {
    if (at[k] >= 0) continue;
    if (unusable) return SQLITE_CONSTRAINT;
    sqlite3_free(vt->zErrMsg);
    vt->zErrMsg = sqlite3_mprintf("%s", usage);
    return SQLITE_ERROR;
  }
  for (int k = 0; k < n; k++) {
    info->aConstraintUsage[at[k]].argvIndex = k + 1;
    info->aConstraintUsage[at[k]].omit = 1;
  }
  info->estimatedCost = 1000;
  info->estimatedRows = 1000;
  return SQLITE_OK;
}

int pftls_register(void) {
  /* A second registration of the same entry point is a no-op. */
  int rc = sqlite3_auto_extension((void (*)(void))pftls_rows_init);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_auto_extension((void (*)(void))pftls_chunks_init);
}
