/*
 * gemcaen simulator: a drop-in libcaenhvwrapper.so with the C ABI of CAEN's HV Wrapper library
 * (see docs/caen-wrapper.md). Every call is forwarded over TCP to the simulated mainframe process
 * (`gemcaen sim`), where the crate state lives.
 *
 * Wire protocol (one request line, one reply line, '\n' terminated, fields separated by '\t'):
 *   request: <seq> \t <Function> \t <arg> ...
 *   reply:   <seq> \t <code> \t <field> ...     (code != 0: one field, the error text)
 * Strings are %XX-escaped ('%', control bytes, 0x7f); floats are "%.9g" text; values the
 * library cannot type itself (Set*Param buffers) travel as the 8 hex digits of their 4 bytes.
 * Functions starting with '_' are internal look-ups, not counted as wrapper calls.
 *
 * Handles: a table of 100 sessions; each is one TCP connection with its own mutex, its own
 * last-error text and a sequence number (a reply that arrives after a time-out is skipped).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef unsigned short ushort;
typedef unsigned char uchar;
typedef int CAENHVRESULT;
typedef int CAENHV_SYSTEM_TYPE_t;

typedef struct {
  int System;
  int Board[16];
} CAENHV_SYSTEMSTATUS_t;

typedef struct {
  int Type;
  int SystemHandle;
  int BoardIndex;
  int ChannelIndex;
  char ItemID[20];
  union {
    char StringValue[1024];
    float FloatValue;
    int IntValue;
  } Value;
} CAENHVEVENT_TYPE_t;

enum {
  RC_OK = 0, RC_SYSERR = 1, RC_TIMEERR = 4, RC_DOWN = 5, RC_MEMORYFAULT = 9,
  RC_DEVALREADYOPEN = 24, RC_TOOMANYDEVICEOPEN = 25, RC_INVALIDPARAMETER = 26,
  RC_COMMUNICATIONERROR = 29, RC_NOTYETIMPLEMENTED = 30,
  RC_NOTCONNECTED = 0x1002, RC_LOGINFAILED = 0x1004, RC_LINKNOTSUPPORTED = 0x1006, RC_USERPASSFAILED = 0x1007
};

enum { PT_NUMERIC = 0, PT_ONOFF = 1, PT_CHSTATUS = 2, PT_BDSTATUS = 3, PT_BINARY = 4, PT_STRING = 5, PT_ENUM = 6, PT_CMD = 7 };
enum { SP_STR = 0, SP_REAL = 1, SP_UINT2 = 2, SP_UINT4 = 3, SP_INT2 = 4, SP_INT4 = 5, SP_BOOLEAN = 6 };

/* 6.0 takes handles 0..100 (docs/caen-wrapper.md §2, §11) */
#define MAX_HANDLES 101
/* CAEN's library always connects to this TCP port of the Arg's address (§11) */
#define CAEN_PORT 2527
#define DEFAULT_TIMEOUT_MS 5000
/* a crate that accepts the login's connection and never answers: 0x1007 after 20 s (§11) */
#define DEFAULT_LOGIN_TIMEOUT_MS 20000
/* the longest reply line the library reads; a longer one is a protocol error, not more memory */
#define MAX_LINE (1u << 20)
/* caller buffers whose size the API does not pass, as docs/caen-wrapper.md gives them: a copy never
 * goes past these, whatever the reply says */
#define SYSPROP_STR_LEN 1024   /* GetSysProp of a STR property */
#define PROP_STR_LEN 30        /* Onstate / Offstate */
#define ENUM_STR_LEN 15        /* each string of the Enum property */
#define ELEMENT_LEN 4          /* each element of a Get*Param value buffer */
#define MAX_COUNT 65535        /* counts the API returns as ushort */
#define ERR_LEN 1024

typedef struct {
  int used;            /* 0 free, 1 open, 2 being opened */
  int connected;       /* socket alive */
  int fd;
  int system;          /* system type given to InitSystem */
  int crate_system;    /* system type the crate reports */
  int link;
  char arg[256];
  unsigned seq;
  long enum_room;      /* strings of 15 bytes the caller of an Enum property holds (Maxval - Minval + 1) */
  int timeout_ms;
  long long deadline;  /* CLOCK_MONOTONIC ms by which the current call's reply must be complete */
  char *rbuf;          /* received bytes not yet consumed */
  size_t rlen, rcap;
  char err[ERR_LEN];
  pthread_mutex_t mu;
} Handle;

static Handle handles[MAX_HANDLES];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static const char bad_handle_text[] = " Connection failed ";

static void init_table(void) {
  for (int i = 0; i < MAX_HANDLES; i++) {
    pthread_mutex_init(&handles[i].mu, NULL);
    handles[i].fd = -1;
  }
}

static void set_err(Handle *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(h->err, ERR_LEN, fmt, ap);
  va_end(ap);
}

/* ---------- string builder and escaping ---------- */

typedef struct {
  char *p;
  size_t n, cap;
  int oom;
} Sb;

static void sb_reserve(Sb *b, size_t extra) {
  if (b->oom) return;
  if (b->n + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->n + extra + 1) cap *= 2;
  char *np = realloc(b->p, cap);
  if (!np) { b->oom = 1; return; }
  b->p = np;
  b->cap = cap;
}

static void sb_raw(Sb *b, const char *s, size_t len) {
  sb_reserve(b, len);
  if (b->oom) return;
  memcpy(b->p + b->n, s, len);
  b->n += len;
  b->p[b->n] = 0;
}

static void sb_fmt(Sb *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (len < 0) return;
  if ((size_t)len >= sizeof tmp) len = sizeof tmp - 1;
  sb_raw(b, "\t", 1);
  sb_raw(b, tmp, (size_t)len);
}

static void sb_str(Sb *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  sb_raw(b, "\t", 1);
  if (!s) return;
  for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
    if (*q == '%' || *q < 0x20 || *q == 0x7f) {
      char e[3] = {'%', hex[*q >> 4], hex[*q & 15]};
      sb_raw(b, e, 3);
    } else {
      sb_raw(b, (const char *)q, 1);
    }
  }
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* in place */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (*r == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
      *w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
}

/* ---------- handles ---------- */

/* Locks and returns the handle, or returns a result code (the handle is then not locked). */
static int acquire(int handle, Handle **out) {
  pthread_once(&init_once, init_table);
  if (handle < 0 || handle >= MAX_HANDLES) return RC_INVALIDPARAMETER;
  Handle *h = &handles[handle];
  pthread_mutex_lock(&table_mu);
  int used = h->used;
  pthread_mutex_unlock(&table_mu);
  if (used != 1) return RC_NOTCONNECTED;
  pthread_mutex_lock(&h->mu);
  if (h->used != 1) {
    pthread_mutex_unlock(&h->mu);
    return RC_NOTCONNECTED;
  }
  *out = h;
  return RC_OK;
}

static void release(Handle *h) { pthread_mutex_unlock(&h->mu); }

static void disconnect(Handle *h) {
  if (h->fd >= 0) close(h->fd);
  h->fd = -1;
  h->connected = 0;
  h->rlen = 0;
}

/* ---------- request / reply ---------- */

typedef struct {
  char *line;  /* owned copy of the reply line */
  char **f;    /* fields after seq and code */
  int nf;
  int code;
} Reply;

static void reply_free(Reply *r) {
  free(r->line);
  free(r->f);
  r->line = NULL;
  r->f = NULL;
  r->nf = 0;
}

static void req_begin(Handle *h, Sb *b, const char *fn) {
  memset(b, 0, sizeof *b);
  h->seq++;
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%u", h->seq);
  sb_raw(b, tmp, (size_t)n);
  sb_str(b, fn);
}

static int send_all(Handle *h, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(h->fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_err(h, "Timeout: the crate did not accept the request within %d ms", h->timeout_ms);
        return RC_TIMEERR;
      }
      set_err(h, "Communication error: %s (session closed)", strerror(errno));
      disconnect(h);
      return RC_COMMUNICATIONERROR;
    }
    p += w;
    n -= (size_t)w;
  }
  return RC_OK;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line (without '\n') into a malloc'd string. The whole call shares one deadline
 * (h->deadline), however many lines or recv()s it takes; a line longer than MAX_LINE closes the
 * session (the stream cannot be trusted after it) instead of growing the buffer. */
static int read_line(Handle *h, char **out) {
  size_t scanned = 0;
  for (;;) {
    char *nl = h->rlen > scanned ? memchr(h->rbuf + scanned, '\n', h->rlen - scanned) : NULL;
    if (nl) {
      size_t len = (size_t)(nl - h->rbuf);
      char *line = malloc(len + 1);
      if (!line) { set_err(h, "Out of memory"); return RC_MEMORYFAULT; }
      memcpy(line, h->rbuf, len);
      line[len] = 0;
      memmove(h->rbuf, nl + 1, h->rlen - len - 1);
      h->rlen -= len + 1;
      *out = line;
      return RC_OK;
    }
    scanned = h->rlen;
    if (h->rlen >= MAX_LINE) {
      set_err(h, "Communication error: a reply line longer than %u bytes from the crate (session closed)", MAX_LINE);
      disconnect(h);
      return RC_COMMUNICATIONERROR;
    }
    if (h->rcap - h->rlen < 4096) {
      size_t cap = h->rcap ? h->rcap * 2 : 8192;
      if (cap > MAX_LINE + 4096) cap = MAX_LINE + 4096;
      char *nb = realloc(h->rbuf, cap);
      if (!nb) { set_err(h, "Out of memory"); return RC_MEMORYFAULT; }
      h->rbuf = nb;
      h->rcap = cap;
    }
    long long left = h->deadline - now_ms();
    int pr = 0;
    if (left > 0) {
      struct pollfd pfd = {h->fd, POLLIN, 0};
      pr = poll(&pfd, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
      if (pr < 0 && errno == EINTR) continue;
    }
    if (pr == 0) {
      set_err(h, "Timeout: no answer from the crate within %d ms", h->timeout_ms);
      return RC_TIMEERR;
    }
    ssize_t r = recv(h->fd, h->rbuf + h->rlen, h->rcap - h->rlen, MSG_DONTWAIT);
    if (r > 0) { h->rlen += (size_t)r; continue; }
    if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (r == 0) set_err(h, "Communication error: connection closed by the crate (session closed)");
    else set_err(h, "Communication error: %s (session closed)", strerror(errno));
    disconnect(h);
    return RC_COMMUNICATIONERROR;
  }
}

/* Sends the request and waits for its reply. On a non-zero code, h->err holds the text. */
static int rpc(Handle *h, Sb *req, Reply *rep) {
  memset(rep, 0, sizeof *rep);
  if (req->oom) { free(req->p); set_err(h, "Out of memory"); return RC_MEMORYFAULT; }
  if (!h->connected) {
    free(req->p);
    set_err(h, "Not connected: the session to the crate is closed; call CAENHV_DeinitSystem and CAENHV_InitSystem again");
    return RC_NOTCONNECTED;
  }
  sb_raw(req, "\n", 1);
  h->deadline = now_ms() + h->timeout_ms;
  int rc = req->oom ? RC_MEMORYFAULT : send_all(h, req->p, req->n);
  free(req->p);
  req->p = NULL;
  if (rc) return rc;
  for (;;) {
    char *line = NULL;
    rc = read_line(h, &line);
    if (rc) return rc;
    char *tab = strchr(line, '\t');
    unsigned seq = (unsigned)strtoul(line, NULL, 10);
    if (seq != h->seq || !tab) { free(line); continue; } /* a late reply to a timed-out request */
    int count = 1;
    for (char *p = tab; *p; p++) if (*p == '\t') count++;
    char **f = calloc((size_t)count + 1, sizeof(char *));
    if (!f) { free(line); set_err(h, "Out of memory"); return RC_MEMORYFAULT; }
    int nf = 0;
    char *p = tab + 1;
    for (;;) {
      char *t = strchr(p, '\t');
      if (t) *t = 0;
      f[nf++] = p;
      if (!t) break;
      p = t + 1;
    }
    for (int i = 0; i < nf; i++) unescape(f[i]);
    rep->line = line;
    rep->code = (int)strtol(f[0], NULL, 10);
    rep->f = f;
    /* shift so that rep->f[0] is the first field after the code */
    memmove(f, f + 1, (size_t)nf * sizeof(char *));
    rep->nf = nf - 1;
    if (rep->code != RC_OK) {
      set_err(h, "%s", rep->nf > 0 ? rep->f[0] : "Error");
      if (rep->code == RC_DOWN) disconnect(h);
      int code = rep->code;
      reply_free(rep);
      return code;
    }
    return RC_OK;
  }
}

/* A reply with too few fields is a protocol error. */
static int need(Handle *h, Reply *r, int n) {
  if (n >= 0 && r->nf >= n) return 0;
  set_err(h, "Communication error: short reply from the crate");
  reply_free(r);
  return RC_COMMUNICATIONERROR;
}

/* A reply the library cannot use: an error code (the reply is freed), never a crash. */
static int bad_reply(Handle *h, Reply *r, const char *what) {
  set_err(h, "Communication error: unusable reply from the crate (%s)", what);
  reply_free(r);
  return RC_COMMUNICATIONERROR;
}

/* Copies at most cap - 1 bytes of src and a NUL into dst. */
static void copy_bounded(char *dst, const char *src, size_t cap) {
  size_t l = strnlen(src, cap - 1);
  memcpy(dst, src, l);
  dst[l] = 0;
}

static long fl(Reply *r, int i) { return strtol(r->f[i], NULL, 10); }
static double fd(Reply *r, int i) { return strtod(r->f[i], NULL); }

static void *xmalloc(size_t n) { return malloc(n ? n : 1); }

/* Packed NUL-separated strings from fields [from, from+n). */
static char *pack_strings(Reply *r, int from, int n, int stride) {
  size_t total = 0;
  for (int i = 0; i < n; i++) total += strlen(r->f[from + i * stride]) + 1;
  char *buf = xmalloc(total);
  if (!buf) return NULL;
  char *w = buf;
  for (int i = 0; i < n; i++) {
    size_t l = strlen(r->f[from + i * stride]);
    memcpy(w, r->f[from + i * stride], l + 1);
    w += l + 1;
  }
  return buf;
}

/* Fixed 10-byte records followed by an empty record. */
static char *records10(Reply *r, int from, int n) {
  char *buf = calloc((size_t)n + 1, 10);
  if (!buf) return NULL;
  for (int i = 0; i < n; i++) strncpy(buf + i * 10, r->f[from + i], 9);
  return buf;
}

static void write_value(int type, const char *text, void *dst, int i) {
  if (type == PT_NUMERIC) {
    float v = (float)strtod(text, NULL);
    memcpy((char *)dst + 4 * i, &v, 4);
  } else if (type == PT_ENUM) {
    int32_t v = (int32_t)strtol(text, NULL, 10);
    memcpy((char *)dst + 4 * i, &v, 4);
  } else {
    uint32_t v = (uint32_t)strtoul(text, NULL, 10);
    memcpy((char *)dst + 4 * i, &v, 4);
  }
}

/* Writes the values of a Get*Param reply: fields [type, v0, v1, ...], into the caller's n elements of
 * ELEMENT_LEN bytes. STRING values go back to back, NUL-separated, within those n x 4 bytes (the
 * simulator has no STRING parameter: only an odd reply says STRING). Frees the reply on an error. */
static int write_values(Handle *h, Reply *r, int n, void *dst) {
  char *end = NULL;
  long type = strtol(r->f[0], &end, 10);
  if (end == r->f[0] || type < PT_NUMERIC || type > PT_CMD || type == PT_CMD) return bad_reply(h, r, "value type");
  if (type == PT_STRING) {
    size_t cap = (size_t)n * ELEMENT_LEN, used = 0;
    char *w = dst;
    for (int i = 0; i < n && used < cap; i++) {
      copy_bounded(w + used, r->f[1 + i], cap - used);
      used += strlen(w + used) + 1;
    }
    return RC_OK;
  }
  for (int i = 0; i < n; i++) write_value((int)type, r->f[1 + i], dst, i);
  return RC_OK;
}

/* Writes a property reply: [kind, value...]. */
static int write_prop(Handle *h, Reply *r, void *dst) {
  const char *kind = r->f[0];
  if (!strcmp(kind, "u32")) { uint32_t v = (uint32_t)strtoul(r->f[1], NULL, 10); memcpy(dst, &v, 4); }
  else if (!strcmp(kind, "f32")) { float v = (float)fd(r, 1); memcpy(dst, &v, 4); }
  else if (!strcmp(kind, "u16")) { uint16_t v = (uint16_t)fl(r, 1); memcpy(dst, &v, 2); }
  else if (!strcmp(kind, "i16")) { int16_t v = (int16_t)fl(r, 1); memcpy(dst, &v, 2); }
  else if (!strcmp(kind, "str")) { copy_bounded(dst, r->f[1], PROP_STR_LEN); }
  else if (!strcmp(kind, "enum")) {
    /* the caller holds Maxval - Minval + 1 strings of 15 bytes (enum_room tells how many) */
    char *end = NULL;
    long n = strtol(r->f[1], &end, 10);
    if (end == r->f[1] || n < 0 || n > h->enum_room || r->nf < 2 + n) {
      set_err(h, "Communication error: unusable reply from the crate (%ld enum strings for room of %ld)", n, h->enum_room);
      return RC_COMMUNICATIONERROR;
    }
    for (long i = 0; i < n; i++) {
      memset((char *)dst + ENUM_STR_LEN * i, 0, ENUM_STR_LEN);
      copy_bounded((char *)dst + ENUM_STR_LEN * i, r->f[2 + i], ENUM_STR_LEN);
    }
  } else {
    set_err(h, "Communication error: unknown property kind %s", kind);
    return RC_COMMUNICATIONERROR;
  }
  return RC_OK;
}

static void sb_hex4(Sb *b, const void *src, int i) {
  uint32_t v;
  memcpy(&v, (const char *)src + 4 * i, 4);
  sb_fmt(b, "%08x", v);
}

static int applies_first_only(int system) { return system == 2 || system == 3 || system == 16; }

/* Rejects the caller's arguments: the text names what is wrong; the handle is released. */
static int invalid(Handle *h, const char *what) {
  set_err(h, "Invalid parameter: %s", what);
  release(h);
  return RC_INVALIDPARAMETER;
}

/* Sends the request; on RC_OK the reply holds at least n fields and the caller frees it. */
static int call(Handle *h, Sb *req, Reply *rep, int n) {
  int rc = rpc(h, req, rep);
  if (rc == RC_OK) rc = need(h, rep, n);
  return rc;
}

/* Sends a request whose reply carries nothing the caller needs. */
static int call_ack(Handle *h, Sb *req) {
  Reply r;
  int rc = rpc(h, req, &r);
  if (rc == RC_OK) reply_free(&r);
  return rc;
}

/* Sends a request whose reply is a count n then n records of `stride` fields; on RC_OK the
 * reply holds them all and the caller frees it. */
static int call_counted(Handle *h, Sb *req, Reply *rep, int stride, int *n) {
  int rc = call(h, req, rep, 1);
  if (rc != RC_OK) return rc;
  char *end = NULL;
  long count = strtol(rep->f[0], &end, 10);
  if (end == rep->f[0] || count < 0 || count > MAX_COUNT) return bad_reply(h, rep, "count");
  *n = (int)count;
  return need(h, rep, 1 + stride * *n);
}

/* A slot or channel list as the wire carries it: the count, then each number. */
static void sb_list(Sb *b, ushort n, const ushort *list) {
  sb_fmt(b, "%u", (unsigned)n);
  for (int i = 0; i < n; i++) sb_fmt(b, "%u", (unsigned)list[i]);
}

/* The values of a Set*Param call: their count, then each as hex. SY4527, SY5527 and R6060
 * use the first element for every channel or slot. */
static void sb_set_values(Sb *b, int crate_system, ushort n, const void *values) {
  int nv = applies_first_only(crate_system) ? (n ? 1 : 0) : n;
  sb_fmt(b, "%d", nv);
  for (int i = 0; i < nv; i++) sb_hex4(b, values, i);
}

/* ---------- connecting ---------- */

/* Connects to TCP CAEN_PORT of the Arg, which is parsed like inet_addr() (as CAEN's library does: a
 * host name or a "host:port" becomes 255.255.255.255). Nothing listening: LOGINFAILED at once. */
static int connect_to(Handle *h, const char *arg) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(CAEN_PORT);
  if (!inet_aton(arg, &sa.sin_addr)) sa.sin_addr.s_addr = htonl(INADDR_NONE);
  char where[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &sa.sin_addr, where, sizeof where);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    set_err(h, "Connection failed: socket: %s", strerror(errno));
    return RC_LOGINFAILED;
  }
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
  if (rc < 0 && errno == EINPROGRESS) {
    struct pollfd pfd = {fd, POLLOUT, 0};
    int pr;
    do { pr = poll(&pfd, 1, h->timeout_ms); } while (pr < 0 && errno == EINTR);
    if (pr == 0) {
      close(fd);
      set_err(h, "Connection failed: %s:%d did not answer within %d ms", where, CAEN_PORT, h->timeout_ms);
      return RC_LOGINFAILED;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) errno = soerr, rc = -1; else rc = 0;
  }
  if (rc < 0) {
    int e = errno;
    close(fd);
    set_err(h, "Connection failed: %s:%d: %s", where, CAEN_PORT, strerror(e));
    return RC_LOGINFAILED;
  }
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  struct timeval tv = {h->timeout_ms / 1000, (h->timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  h->fd = fd;
  h->connected = 1;
  h->rlen = 0;
  return RC_OK;
}

static int env_ms(const char *name, int fallback) {
  const char *v = getenv(name);
  return v && atoi(v) > 0 ? atoi(v) : fallback;
}

/* ---------- exported functions ---------- */

EXPORT char *CAENHVLibSwRel(void) {
  static char rel[] = "6.1";
  return rel;
}

EXPORT CAENHVRESULT CAENHV_InitSystem(CAENHV_SYSTEM_TYPE_t system, int LinkType, void *Arg, const char *UserName,
                                      const char *Passwd, int *handle) {
  pthread_once(&init_once, init_table);
  if (handle) *handle = -1;
  if (!handle || !Arg) return RC_INVALIDPARAMETER;
  /* measured on the real 6.0 with SY4527 (§11): USB 0x1004, RS232 (and the other links) 0x1006 */
  if (LinkType == 3) return RC_LOGINFAILED;
  if (LinkType != 0) return RC_LINKNOTSUPPORTED;
  const char *arg = Arg;
  int idx = -1;
  pthread_mutex_lock(&table_mu);
  for (int i = 0; i < MAX_HANDLES; i++) {
    Handle *o = &handles[i];
    if (o->used && o->system == system && o->link == LinkType && !strcmp(o->arg, arg)) {
      pthread_mutex_unlock(&table_mu);
      return RC_DEVALREADYOPEN;
    }
  }
  for (int i = 0; i < MAX_HANDLES; i++) {
    if (!handles[i].used) { idx = i; break; }
  }
  if (idx < 0) {
    pthread_mutex_unlock(&table_mu);
    return RC_TOOMANYDEVICEOPEN;
  }
  Handle *h = &handles[idx];
  h->used = 2;
  h->system = system;
  h->link = LinkType;
  snprintf(h->arg, sizeof h->arg, "%s", arg);
  pthread_mutex_unlock(&table_mu);

  pthread_mutex_lock(&h->mu);
  h->timeout_ms = env_ms("CAENHV_SIM_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
  h->err[0] = 0;
  h->seq = 0;
  int rc = connect_to(h, arg);
  if (rc == RC_OK) {
    /* the login waits for the crate as long as CAEN's does; a crate that closes the connection or
     * never answers is USERPASSFAILED, as with the real library (§11) */
    int call_timeout = h->timeout_ms;
    h->timeout_ms = env_ms("CAENHV_SIM_LOGIN_TIMEOUT_MS", DEFAULT_LOGIN_TIMEOUT_MS);
    Sb b;
    Reply r;
    req_begin(h, &b, "InitSystem");
    sb_fmt(&b, "%d", system);
    sb_fmt(&b, "%d", LinkType);
    sb_str(&b, arg);
    sb_str(&b, UserName ? UserName : "");
    sb_str(&b, Passwd ? Passwd : "");
    sb_fmt(&b, "%d", (int)getpid());
    sb_fmt(&b, "%d", idx);
    if ((rc = call(h, &b, &r, 1)) == RC_OK) {
      h->crate_system = (int)fl(&r, 0);
      reply_free(&r);
    }
    h->timeout_ms = call_timeout;
    if (rc == RC_TIMEERR || rc == RC_COMMUNICATIONERROR) rc = RC_USERPASSFAILED;
  }
  if (rc != RC_OK) disconnect(h);
  pthread_mutex_unlock(&h->mu);
  pthread_mutex_lock(&table_mu);
  h->used = rc == RC_OK ? 1 : 0;
  pthread_mutex_unlock(&table_mu);
  if (rc == RC_OK) *handle = idx;
  return rc;
}

EXPORT CAENHVRESULT CAENHV_DeinitSystem(int handle) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (h->connected) {
    Sb b;
    req_begin(h, &b, "DeinitSystem");
    (void)call_ack(h, &b);
  }
  disconnect(h);
  free(h->rbuf);
  h->rbuf = NULL;
  h->rcap = 0;
  pthread_mutex_lock(&table_mu);
  h->used = 0;
  h->arg[0] = 0;
  pthread_mutex_unlock(&table_mu);
  release(h);
  return RC_OK;
}

EXPORT CAENHVRESULT CAENHV_GetCrateMap(int handle, ushort *NrOfSlot, ushort **NrofChList, char **ModelList,
                                       char **DescriptionList, ushort **SerNumList, uchar **FmwRelMinList,
                                       uchar **FmwRelMaxList) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!NrOfSlot || !NrofChList || !ModelList || !DescriptionList || !SerNumList || !FmwRelMinList || !FmwRelMaxList) {
    return invalid(h, "NULL output pointer");
  }
  Sb b;
  Reply r;
  req_begin(h, &b, "GetCrateMap");
  int n;
  if ((rc = call_counted(h, &b, &r, 6, &n)) == RC_OK) {
    ushort *nch = xmalloc(sizeof(ushort) * (size_t)n), *ser = xmalloc(sizeof(ushort) * (size_t)n);
    uchar *fmin = xmalloc((size_t)n), *fmax = xmalloc((size_t)n);
    char *models = pack_strings(&r, 1, n, 6), *descs = pack_strings(&r, 2, n, 6);
    if (!nch || !ser || !fmin || !fmax || !models || !descs) {
      free(nch); free(ser); free(fmin); free(fmax); free(models); free(descs);
      set_err(h, "Out of memory");
      rc = RC_MEMORYFAULT;
    } else {
      for (int i = 0; i < n; i++) {
        nch[i] = (ushort)fl(&r, 3 + 6 * i);
        ser[i] = (ushort)fl(&r, 4 + 6 * i);
        fmin[i] = (uchar)fl(&r, 5 + 6 * i);
        fmax[i] = (uchar)fl(&r, 6 + 6 * i);
      }
      *NrOfSlot = (ushort)n;
      *NrofChList = nch;
      *ModelList = models;
      *DescriptionList = descs;
      *SerNumList = ser;
      *FmwRelMinList = fmin;
      *FmwRelMaxList = fmax;
    }
    reply_free(&r);
  }
  release(h);
  return rc;
}

/* Shared by GetSysPropList and GetExecCommList: a count then names, returned packed. */
static int get_name_list(int handle, const char *fn, ushort *Num, char **List) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!Num || !List) {
    return invalid(h, "NULL output pointer");
  }
  Sb b;
  Reply r;
  req_begin(h, &b, fn);
  int n;
  if ((rc = call_counted(h, &b, &r, 1, &n)) == RC_OK) {
    char *list = pack_strings(&r, 1, n, 1);
    if (!list) { set_err(h, "Out of memory"); rc = RC_MEMORYFAULT; }
    else { *Num = (ushort)n; *List = list; }
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetSysPropList(int handle, ushort *NumProp, char **PropNameList) {
  return get_name_list(handle, "GetSysPropList", NumProp, PropNameList);
}

EXPORT CAENHVRESULT CAENHV_GetSysPropInfo(int handle, const char *PropName, unsigned *PropMode, unsigned *PropType) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!PropName || !PropMode || !PropType) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  req_begin(h, &b, "GetSysPropInfo");
  sb_str(&b, PropName);
  if ((rc = call(h, &b, &r, 2)) == RC_OK) {
    *PropMode = (unsigned)fl(&r, 0);
    *PropType = (unsigned)fl(&r, 1);
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetSysProp(int handle, const char *PropName, void *Result) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!PropName || !Result) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  req_begin(h, &b, "GetSysProp");
  sb_str(&b, PropName);
  if ((rc = call(h, &b, &r, 2)) == RC_OK) {
    char *end = NULL;
    long type = strtol(r.f[0], &end, 10);
    if (end == r.f[0] || type < SP_STR || type > SP_BOOLEAN) {
      rc = bad_reply(h, &r, "system property type");
      release(h);
      return rc;
    }
    const char *v = r.f[1];
    switch (type) {
      case SP_STR: copy_bounded(Result, v, SYSPROP_STR_LEN); break;
      case SP_REAL: { float x = (float)strtod(v, NULL); memcpy(Result, &x, 4); break; }
      case SP_UINT2: { uint16_t x = (uint16_t)strtoul(v, NULL, 10); memcpy(Result, &x, 2); break; }
      case SP_INT2: { int16_t x = (int16_t)strtol(v, NULL, 10); memcpy(Result, &x, 2); break; }
      case SP_INT4: { int32_t x = (int32_t)strtol(v, NULL, 10); memcpy(Result, &x, 4); break; }
      default: { uint32_t x = (uint32_t)strtoul(v, NULL, 10); memcpy(Result, &x, 4); break; }
    }
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_SetSysProp(int handle, const char *PropName, void *Set) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!PropName || !Set) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  /* the library must know the property type to read the caller's buffer */
  req_begin(h, &b, "_SysPropType");
  sb_str(&b, PropName);
  int type = SP_STR;
  if ((rc = call(h, &b, &r, 1)) == RC_OK) {
    type = (int)fl(&r, 0);
    reply_free(&r);
  }
  if (rc == RC_OK) {
    req_begin(h, &b, "SetSysProp");
    sb_str(&b, PropName);
    switch (type) {
      case SP_STR: sb_str(&b, Set); break;
      case SP_REAL: { float x; memcpy(&x, Set, 4); sb_fmt(&b, "%.9g", (double)x); break; }
      case SP_UINT2: { uint16_t x; memcpy(&x, Set, 2); sb_fmt(&b, "%u", (unsigned)x); break; }
      case SP_INT2: { int16_t x; memcpy(&x, Set, 2); sb_fmt(&b, "%d", (int)x); break; }
      case SP_INT4: { int32_t x; memcpy(&x, Set, 4); sb_fmt(&b, "%d", (int)x); break; }
      default: { uint32_t x; memcpy(&x, Set, 4); sb_fmt(&b, "%u", (unsigned)x); break; }
    }
    rc = call_ack(h, &b);
  }
  release(h);
  return rc;
}

/* Shared by GetBdParamInfo and GetChParamInfo: ch is NULL for the board's parameters, and
 * ParNumber (which only the channel form has) may be NULL. */
static int get_param_info(int handle, const char *fn, ushort slot, const ushort *ch, char **ParNameList,
                          int *ParNumber) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ParNameList || (ch && !ParNumber)) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  req_begin(h, &b, fn);
  sb_fmt(&b, "%u", (unsigned)slot);
  if (ch) sb_fmt(&b, "%u", (unsigned)*ch);
  int n;
  if ((rc = call_counted(h, &b, &r, 1, &n)) == RC_OK) {
    char *list = records10(&r, 1, n);
    if (!list) { set_err(h, "Out of memory"); rc = RC_MEMORYFAULT; }
    else {
      *ParNameList = list;
      if (ParNumber) *ParNumber = n;
    }
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetBdParamInfo(int handle, ushort slot, char **ParNameList) {
  return get_param_info(handle, "GetBdParamInfo", slot, NULL, ParNameList, NULL);
}

/* One property request on a locked handle. */
static int param_prop(Handle *h, const char *fn, ushort slot, const ushort *ch, const char *ParName, const char *PropName,
                      void *retval) {
  Sb b;
  Reply r;
  req_begin(h, &b, fn);
  sb_fmt(&b, "%u", (unsigned)slot);
  if (ch) sb_fmt(&b, "%u", (unsigned)*ch);
  sb_str(&b, ParName);
  sb_str(&b, PropName);
  int rc = call(h, &b, &r, 2);
  if (rc == RC_OK) {
    rc = write_prop(h, &r, retval);
    reply_free(&r);
  }
  return rc;
}

/* Shared by GetBdParamProp and GetChParamProp: ch is NULL for a board parameter. */
static int get_param_prop(int handle, const char *fn, ushort slot, const ushort *ch, const char *ParName,
                          const char *PropName, void *retval) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ParName || !PropName || !retval) return invalid(h, "NULL pointer");
  h->enum_room = 0;
  if (!strcmp(PropName, "Enum")) {
    /* the caller's buffer holds Maxval - Minval + 1 strings (docs/caen-wrapper.md §4): ask for both */
    float lim[2] = {0, 0};
    const char *names[2] = {"Minval", "Maxval"};
    for (int i = 0; i < 2 && rc == RC_OK; i++) rc = param_prop(h, fn, slot, ch, ParName, names[i], &lim[i]);
    if (rc != RC_OK) { release(h); return rc; }
    double room = (double)lim[1] - (double)lim[0] + 1;
    h->enum_room = room < 0 ? 0 : room > MAX_COUNT ? MAX_COUNT : (long)room;
  }
  rc = param_prop(h, fn, slot, ch, ParName, PropName, retval);
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetBdParamProp(int handle, ushort slot, const char *ParName, const char *PropName,
                                          void *retval) {
  return get_param_prop(handle, "GetBdParamProp", slot, NULL, ParName, PropName, retval);
}

EXPORT CAENHVRESULT CAENHV_GetBdParam(int handle, ushort slotNum, const ushort *slotList, const char *ParName,
                                      void *ParValList) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ParName || !ParValList || (slotNum && !slotList)) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  req_begin(h, &b, "GetBdParam");
  sb_str(&b, ParName);
  sb_list(&b, slotNum, slotList);
  if ((rc = call(h, &b, &r, 1 + slotNum)) == RC_OK) {
    if ((rc = write_values(h, &r, slotNum, ParValList)) == RC_OK) reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_SetBdParam(int handle, ushort slotNum, const ushort *slotList, const char *ParName,
                                      void *ParValue) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ParName || !ParValue || (slotNum && !slotList)) return invalid(h, "NULL pointer");
  Sb b;
  req_begin(h, &b, "SetBdParam");
  sb_str(&b, ParName);
  sb_list(&b, slotNum, slotList);
  sb_set_values(&b, h->crate_system, slotNum, ParValue);
  rc = call_ack(h, &b);
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_TestBdPresence(int handle, ushort slot, ushort *NrofCh, char **Model, char **Description,
                                          ushort *SerNum, uchar *FmwRelMin, uchar *FmwRelMax) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!NrofCh || !Model || !Description || !SerNum || !FmwRelMin || !FmwRelMax) {
    return invalid(h, "NULL output pointer");
  }
  Sb b;
  Reply r;
  req_begin(h, &b, "TestBdPresence");
  sb_fmt(&b, "%u", (unsigned)slot);
  if ((rc = call(h, &b, &r, 6)) == RC_OK) {
    char *m = strdup(r.f[1]), *d = strdup(r.f[2]);
    if (!m || !d) { free(m); free(d); set_err(h, "Out of memory"); rc = RC_MEMORYFAULT; }
    else {
      *NrofCh = (ushort)fl(&r, 0);
      *Model = m;
      *Description = d;
      *SerNum = (ushort)fl(&r, 3);
      *FmwRelMin = (uchar)fl(&r, 4);
      *FmwRelMax = (uchar)fl(&r, 5);
    }
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetChParamInfo(int handle, ushort slot, ushort Ch, char **ParNameList, int *ParNumber) {
  return get_param_info(handle, "GetChParamInfo", slot, &Ch, ParNameList, ParNumber);
}

EXPORT CAENHVRESULT CAENHV_GetChParamProp(int handle, ushort slot, ushort Ch, const char *ParName,
                                          const char *PropName, void *retval) {
  return get_param_prop(handle, "GetChParamProp", slot, &Ch, ParName, PropName, retval);
}

EXPORT CAENHVRESULT CAENHV_GetChName(int handle, ushort slot, ushort ChNum, const ushort *ChList,
                                     char (*ChNameList)[12]) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if ((ChNum && (!ChList || !ChNameList))) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  req_begin(h, &b, "GetChName");
  sb_fmt(&b, "%u", (unsigned)slot);
  sb_list(&b, ChNum, ChList);
  if ((rc = call(h, &b, &r, ChNum)) == RC_OK) {
    for (int i = 0; i < ChNum; i++) {
      memset(ChNameList[i], 0, 12);
      copy_bounded(ChNameList[i], r.f[i], 12);
    }
    /* as CAEN's library may: an empty record after the last name, which is why a caller allocates
     * (ChNum + 1) x 12 bytes (docs/caen-wrapper.md §3) */
    if (ChNameList) memset(ChNameList[ChNum], 0, 12);
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_SetChName(int handle, ushort slot, ushort ChNum, const ushort *ChList, const char *ChName) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ChName || (ChNum && !ChList)) return invalid(h, "NULL pointer");
  Sb b;
  req_begin(h, &b, "SetChName");
  sb_fmt(&b, "%u", (unsigned)slot);
  sb_str(&b, ChName);
  sb_list(&b, ChNum, ChList);
  rc = call_ack(h, &b);
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetChParam(int handle, ushort slot, const char *ParName, ushort ChNum, const ushort *ChList,
                                      void *ParValList) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ParName || (ChNum && (!ChList || !ParValList))) return invalid(h, "NULL pointer");
  Sb b;
  Reply r;
  req_begin(h, &b, "GetChParam");
  sb_fmt(&b, "%u", (unsigned)slot);
  sb_str(&b, ParName);
  sb_list(&b, ChNum, ChList);
  if ((rc = call(h, &b, &r, 1 + ChNum)) == RC_OK) {
    if ((rc = write_values(h, &r, ChNum, ParValList)) == RC_OK) reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_SetChParam(int handle, ushort slot, const char *ParName, ushort ChNum, const ushort *ChList,
                                      void *ParValue) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!ParName || !ParValue || (ChNum && !ChList)) return invalid(h, "NULL pointer");
  Sb b;
  req_begin(h, &b, "SetChParam");
  sb_fmt(&b, "%u", (unsigned)slot);
  sb_str(&b, ParName);
  sb_list(&b, ChNum, ChList);
  sb_set_values(&b, h->crate_system, ChNum, ParValue);
  rc = call_ack(h, &b);
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_GetExecCommList(int handle, ushort *NumComm, char **CommNameList) {
  return get_name_list(handle, "GetExecCommList", NumComm, CommNameList);
}

EXPORT CAENHVRESULT CAENHV_ExecComm(int handle, const char *CommName) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (!CommName) return invalid(h, "NULL pointer");
  Sb b;
  req_begin(h, &b, "ExecComm");
  sb_str(&b, CommName);
  rc = call_ack(h, &b);
  release(h);
  return rc;
}

/* ---------- event mode (docs/caen-wrapper.md §10) ----------
 *
 * Subscribe/UnSubscribe travel on the command connection like any call; the reply carries one result
 * code per name. On the first successful subscription the mainframe connects to the client's port (no
 * preamble) and pushes batches; the client accepts that connection and passes the socket to
 * GetEventData. Each batch is one frame: a 4-byte big-endian length, then text lines:
 *   <System> \t <Board0> ... \t <Board15>
 *   <Type> \t <SystemHandle> \t <Board> \t <Channel> \t <ItemID> \t <f|i|s> \t <value>    (one per record)
 * GetEventData keeps no state between calls: it reads exactly one frame from the socket, so it is safe
 * to call from any thread while command calls run on others (it never takes a handle lock).
 */

enum { RC_READERR = 3 };
#define EVENT_FRAME_MAX (64u * 1024u * 1024u)

/* Shared by the six (Un)Subscribe functions: slot and ch are -1 when the call has no such argument. */
static int subscription_call(int handle, const char *fn, short Port, int slot, int ch, const char *paramNameList,
                             unsigned paramNum, char *listOfResultCodes) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  if (paramNum && (!paramNameList || !listOfResultCodes)) return invalid(h, "NULL pointer");
  if (paramNum > 65535) return invalid(h, "too many names");
  Sb b;
  Reply r;
  req_begin(h, &b, fn);
  /* clients pass ports above 32767 through the short: they arrive negative */
  sb_fmt(&b, "%u", (unsigned)(unsigned short)Port);
  if (slot >= 0) sb_fmt(&b, "%d", slot);
  if (ch >= 0) sb_fmt(&b, "%d", ch);
  sb_fmt(&b, "%u", paramNum);
  /* the names are one string joined with ':'; missing ones are sent empty (the crate refuses them) */
  const char *p = paramNameList;
  for (unsigned i = 0; i < paramNum; i++) {
    const char *colon = p ? strchr(p, ':') : NULL;
    size_t len = p ? (colon ? (size_t)(colon - p) : strlen(p)) : 0;
    char name[256];
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, p ? p : "", len);
    name[len] = 0;
    sb_str(&b, name);
    p = colon ? colon + 1 : NULL;
  }
  if ((rc = call(h, &b, &r, (int)paramNum)) == RC_OK) {
    for (unsigned i = 0; i < paramNum; i++) listOfResultCodes[i] = (char)fl(&r, (int)i);
    reply_free(&r);
  }
  release(h);
  return rc;
}

EXPORT CAENHVRESULT CAENHV_SubscribeSystemParams(int handle, short Port, const char *paramNameList, unsigned paramNum,
                                                 char *listOfResultCodes) {
  return subscription_call(handle, "SubscribeSystemParams", Port, -1, -1, paramNameList, paramNum, listOfResultCodes);
}

EXPORT CAENHVRESULT CAENHV_SubscribeBoardParams(int handle, short Port, ushort slot, const char *paramNameList,
                                                unsigned paramNum, char *listOfResultCodes) {
  return subscription_call(handle, "SubscribeBoardParams", Port, slot, -1, paramNameList, paramNum, listOfResultCodes);
}

EXPORT CAENHVRESULT CAENHV_SubscribeChannelParams(int handle, short Port, ushort slot, ushort ch,
                                                  const char *paramNameList, unsigned paramNum,
                                                  char *listOfResultCodes) {
  return subscription_call(handle, "SubscribeChannelParams", Port, slot, ch, paramNameList, paramNum,
                           listOfResultCodes);
}

EXPORT CAENHVRESULT CAENHV_UnSubscribeSystemParams(int handle, short Port, const char *paramNameList,
                                                   unsigned paramNum, char *listOfResultCodes) {
  return subscription_call(handle, "UnSubscribeSystemParams", Port, -1, -1, paramNameList, paramNum,
                           listOfResultCodes);
}

EXPORT CAENHVRESULT CAENHV_UnSubscribeBoardParams(int handle, short Port, ushort slot, const char *paramNameList,
                                                  unsigned paramNum, char *listOfResultCodes) {
  return subscription_call(handle, "UnSubscribeBoardParams", Port, slot, -1, paramNameList, paramNum,
                           listOfResultCodes);
}

EXPORT CAENHVRESULT CAENHV_UnSubscribeChannelParams(int handle, short Port, ushort slot, ushort ch,
                                                    const char *paramNameList, unsigned paramNum,
                                                    char *listOfResultCodes) {
  return subscription_call(handle, "UnSubscribeChannelParams", Port, slot, ch, paramNameList, paramNum,
                           listOfResultCodes);
}

/* Deprecated single-call forms kept by the 6.0 build (their real signature is not public): not implemented. */
static int not_yet(int handle) {
  Handle *h;
  int rc = acquire(handle, &h);
  if (rc) return rc;
  set_err(h, "Not yet implemented: use CAENHV_Subscribe{System,Board,Channel}Params");
  release(h);
  return RC_NOTYETIMPLEMENTED;
}

EXPORT CAENHVRESULT CAENHV_Subscribe(int handle) { return not_yet(handle); }
EXPORT CAENHVRESULT CAENHV_UnSubscribe(int handle) { return not_yet(handle); }

/* Reads exactly n bytes; waits on a non-blocking socket. 0, or -1 on a closed or bad socket. */
static int recv_exact(int fd, char *p, size_t n) {
  while (n > 0) {
    ssize_t r = recv(fd, p, n, 0);
    if (r > 0) { p += r; n -= (size_t)r; continue; }
    if (r == 0) return -1;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      struct pollfd pfd = {fd, POLLIN, 0};
      if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return -1;
      continue;
    }
    return -1;
  }
  return 0;
}

/* Next TAB- or end-delimited field of a line, NUL-terminated in place; NULL when none is left. */
static char *next_field(char **cursor) {
  char *p = *cursor;
  if (!p) return NULL;
  char *t = strchr(p, '\t');
  if (t) { *t = 0; *cursor = t + 1; }
  else *cursor = NULL;
  return p;
}

/* Parses one record line into ev; 0 on success. */
static int parse_event(char *line, CAENHVEVENT_TYPE_t *ev) {
  char *cur = line;
  char *f[7];
  for (int i = 0; i < 7; i++) {
    f[i] = i < 6 ? next_field(&cur) : cur;
    if (!f[i]) return -1;
  }
  memset(ev, 0, sizeof *ev);
  ev->Type = (int)strtol(f[0], NULL, 10);
  ev->SystemHandle = (int)strtol(f[1], NULL, 10);
  ev->BoardIndex = (int)strtol(f[2], NULL, 10);
  ev->ChannelIndex = (int)strtol(f[3], NULL, 10);
  unescape(f[4]);
  strncpy(ev->ItemID, f[4], sizeof ev->ItemID - 1);
  if (f[5][0] == 'f') ev->Value.FloatValue = (float)strtod(f[6], NULL);
  else if (f[5][0] == 'i') ev->Value.IntValue = (int)(int32_t)(uint32_t)strtoll(f[6], NULL, 10);
  else {
    unescape(f[6]);
    strncpy(ev->Value.StringValue, f[6], sizeof ev->Value.StringValue - 1);
  }
  return 0;
}

EXPORT CAENHVRESULT CAENHV_GetEventData(int sck, CAENHV_SYSTEMSTATUS_t *SysStatus, CAENHVEVENT_TYPE_t **EventData,
                                        unsigned *DataNumber) {
  if (!SysStatus || !EventData || !DataNumber) return RC_INVALIDPARAMETER;
  unsigned char hdr[4];
  if (recv_exact(sck, (char *)hdr, 4) < 0) return RC_READERR;
  uint32_t len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
  if (len > EVENT_FRAME_MAX) return RC_READERR;
  char *body = malloc((size_t)len + 1);
  if (!body) return RC_MEMORYFAULT;
  if (recv_exact(sck, body, len) < 0) { free(body); return RC_READERR; }
  body[len] = 0;
  unsigned lines = 0;
  for (uint32_t i = 0; i < len; i++) if (body[i] == '\n') lines++;
  unsigned count = lines ? lines - 1 : 0;
  CAENHVEVENT_TYPE_t *events = calloc(count ? count : 1, sizeof *events);
  if (!events) { free(body); return RC_MEMORYFAULT; }
  CAENHV_SYSTEMSTATUS_t st;
  memset(&st, 0, sizeof st);
  char *line = body;
  char *nl = strchr(line, '\n');
  int bad = !nl;
  if (!bad) {
    *nl = 0;
    char *cur = line;
    char *v = next_field(&cur);
    st.System = v ? (int)strtol(v, NULL, 10) : 3;
    for (int b = 0; b < 16; b++) { v = next_field(&cur); st.Board[b] = v ? (int)strtol(v, NULL, 10) : 3; }
    line = nl + 1;
  }
  unsigned n = 0;
  while (!bad && n < count && (nl = strchr(line, '\n'))) {
    *nl = 0;
    if (parse_event(line, &events[n]) == 0) n++;
    else bad = 1;
    line = nl + 1;
  }
  free(body);
  if (bad) { free(events); return RC_READERR; }
  *SysStatus = st;
  *EventData = events;
  *DataNumber = n;
  return RC_OK;
}

EXPORT CAENHVRESULT CAENHV_FreeEventData(CAENHVEVENT_TYPE_t **EventData) {
  if (EventData) {
    free(*EventData);
    *EventData = NULL;
  }
  return RC_OK;
}

EXPORT CAENHVRESULT CAENHV_Free(void *arg) {
  free(arg);
  return RC_OK;
}

EXPORT char *CAENHV_GetError(int handle) {
  pthread_once(&init_once, init_table);
  if (handle < 0 || handle >= MAX_HANDLES) return (char *)bad_handle_text;
  Handle *h = &handles[handle];
  pthread_mutex_lock(&table_mu);
  int used = h->used;
  pthread_mutex_unlock(&table_mu);
  if (used != 1) return (char *)bad_handle_text;
  return h->err;
}

/* Legacy names of the same functions. */
EXPORT char *CAENHVGetError(int handle) { return CAENHV_GetError(handle); }

EXPORT CAENHVRESULT CAENHVGetEventData(int sck, CAENHV_SYSTEMSTATUS_t *SysStatus, CAENHVEVENT_TYPE_t **EventData,
                                       unsigned *DataNumber) {
  return CAENHV_GetEventData(sck, SysStatus, EventData, DataNumber);
}

EXPORT CAENHVRESULT CAENHVFreeEventData(CAENHVEVENT_TYPE_t **EventData) { return CAENHV_FreeEventData(EventData); }

/* Millisecond sleep helper the real library exports (a Windows-style Sleep). */
EXPORT void Sleep(unsigned int ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}
