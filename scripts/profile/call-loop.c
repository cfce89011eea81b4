/*
 * The CAEN calls from C, with nothing around them, through the given libcaenhvwrapper.so (CAEN's or the
 * simulator's), linked at run time with dlopen so that the same binary works with either. Two modes:
 *
 *   call-loop LIBRARY ADDRESS CALLS [SLOT PARAM CHANNELS]
 *     N calls of CAENHV_GetChParam (one parameter, channels 0..n-1 of one slot) back to back. Prints one
 *     JSON line: the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) and the wall time, per call.
 *     Used by scripts/profile/call-cost.ts.
 *
 *   call-loop --paced LIBRARY SECONDS PERIOD_MS ADDRESS...
 *     The daemon's calls at the daemon's pace (scripts/bench/parts/daemon.ts, test/bench/call-loop.test.ts):
 *     one thread per crate address (as the daemon has one worker thread per crate), each logs in and then,
 *     once per period (start to start, on an absolute CLOCK_MONOTONIC time; a late round starts at once and
 *     the next one a period later, no catch-up burst), reads every slot 0..15 as a benchmark setup is read:
 *     CAENHV_GetChParam of VMon, IMon, V0Set, I0Set, Pw, Status on channels 0..23, then CAENHV_GetBdParam of
 *     Temp and BdStatus of that one slot: 128 calls per round per crate. round(SECONDS * 1000 / PERIOD_MS)
 *     rounds (at least one). The threads start their rounds together, as the daemon's workers, which log in
 *     together at its start, roughly do. Prints one JSON line: calls, rounds per crate, late rounds, the
 *     process's CPU time (CLOCK_PROCESS_CPUTIME_ID: every thread, the library's included) and the wall time
 *     from after the logins to the end of the last round's period, CPU µs per call and CPU % of one core.
 *
 * Every call's return code is checked: a failure exits with 1 and names the function, address, slot,
 * parameter and code on stderr. Bad arguments exit with 2.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*init_fn)(int, int, void *, const char *, const char *, int *);
typedef int (*deinit_fn)(int);
typedef int (*get_ch_param_fn)(int, unsigned short, const char *, unsigned short, const unsigned short *, void *);
typedef int (*get_bd_param_fn)(int, unsigned short, const unsigned short *, const char *, void *);

static init_fn init;
static deinit_fn deinit;
static get_ch_param_fn get_ch;
static get_bd_param_fn get_bd;

static double seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *path) {
  void *lib = dlopen(path, RTLD_NOW);
  if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 0; }
  init = (init_fn)dlsym(lib, "CAENHV_InitSystem");
  deinit = (deinit_fn)dlsym(lib, "CAENHV_DeinitSystem");
  get_ch = (get_ch_param_fn)dlsym(lib, "CAENHV_GetChParam");
  get_bd = (get_bd_param_fn)dlsym(lib, "CAENHV_GetBdParam");
  if (!init || !deinit || !get_ch || !get_bd) { fprintf(stderr, "%s: missing CAENHV_* symbols\n", path); return 0; }
  return 1;
}

/* SY4527 = 2, TCPIP = 0 */
static int login(const char *address, int *handle) {
  int rc = init(2, 0, (void *)address, "admin", "admin", handle);
  if (rc) fprintf(stderr, "CAENHV_InitSystem %s: code %d (0x%x)\n", address, rc, (unsigned)rc);
  return rc;
}

/* ---------- the back-to-back loop ---------- */

static int loop_main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s LIBRARY ADDRESS CALLS [SLOT PARAM CHANNELS]\n       %s --paced LIBRARY SECONDS PERIOD_MS ADDRESS...\n", argv[0], argv[0]);
    return 2;
  }
  int calls = atoi(argv[3]);
  unsigned short slot = (unsigned short)(argc > 4 ? atoi(argv[4]) : 0);
  const char *param = argc > 5 ? argv[5] : "VMon";
  int n = argc > 6 ? atoi(argv[6]) : 24;
  if (calls <= 0 || n <= 0 || n > 1024) { fprintf(stderr, "CALLS > 0 and 0 < CHANNELS <= 1024\n"); return 2; }
  if (!load(argv[1])) return 1;
  int handle = -1;
  if (login(argv[2], &handle)) return 1;
  unsigned short list[1024];
  float values[1024];
  for (int i = 0; i < n; i++) list[i] = (unsigned short)i;
  int rc;
  if ((rc = get_ch(handle, slot, param, (unsigned short)n, list, values))) { fprintf(stderr, "CAENHV_GetChParam %s slot %u %s: code %d (0x%x)\n", argv[2], slot, param, rc, (unsigned)rc); return 1; }
  double cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
  for (int i = 0; i < calls; i++) {
    if ((rc = get_ch(handle, slot, param, (unsigned short)n, list, values))) { fprintf(stderr, "CAENHV_GetChParam %s slot %u %s: code %d (0x%x)\n", argv[2], slot, param, rc, (unsigned)rc); return 1; }
  }
  double cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
  deinit(handle);
  printf("{\"calls\":%d,\"cpuUsPerCall\":%.3f,\"wallUsPerCall\":%.3f}\n", calls, cpu * 1e6 / calls, wall * 1e6 / calls);
  return 0;
}

/* ---------- the paced mode: the daemon's calls ---------- */

#define SLOTS 16
#define CHANNELS 24
static const char *const CH_PARAMS[] = {"VMon", "IMon", "V0Set", "I0Set", "Pw", "Status"};
static const char *const BD_PARAMS[] = {"Temp", "BdStatus"};
#define N_CH_PARAMS (sizeof CH_PARAMS / sizeof CH_PARAMS[0])
#define N_BD_PARAMS (sizeof BD_PARAMS / sizeof BD_PARAMS[0])

/* all logged in / the rounds are done (each with the main thread, which measures in between) */
static pthread_barrier_t logged_in, go, done;
static struct timespec start;
static long rounds_wanted;
static long period_ns;

struct crate {
  pthread_t thread;
  const char *address;
  int handle;
  long calls;
  long late;
};

static void add_ns(struct timespec *t, long ns) {
  t->tv_nsec += ns % 1000000000L;
  t->tv_sec += ns / 1000000000L + t->tv_nsec / 1000000000L;
  t->tv_nsec %= 1000000000L;
}

static int before(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void sleep_until(const struct timespec *t) {
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR) {}
}

static void fail(const struct crate *c, const char *fn, unsigned slot, const char *param, int rc) {
  fprintf(stderr, "%s %s slot %u %s: code %d (0x%x)\n", fn, c->address, slot, param, rc, (unsigned)rc);
  exit(1);
}

/* One round: every slot as the daemon reads a setup of six monitorables and its board. */
static void round_of(struct crate *c) {
  unsigned short list[CHANNELS];
  /* Pw and Status are unsigned 32-bit, the others floats: 4 bytes each either way */
  uint32_t values[CHANNELS];
  for (unsigned short i = 0; i < CHANNELS; i++) list[i] = i;
  for (unsigned short slot = 0; slot < SLOTS; slot++) {
    for (size_t p = 0; p < N_CH_PARAMS; p++) {
      int rc = get_ch(c->handle, slot, CH_PARAMS[p], CHANNELS, list, values);
      if (rc) fail(c, "CAENHV_GetChParam", slot, CH_PARAMS[p], rc);
      c->calls++;
    }
    for (size_t p = 0; p < N_BD_PARAMS; p++) {
      uint32_t value;
      int rc = get_bd(c->handle, 1, &slot, BD_PARAMS[p], &value);
      if (rc) fail(c, "CAENHV_GetBdParam", slot, BD_PARAMS[p], rc);
      c->calls++;
    }
  }
}

static void *crate_thread(void *arg) {
  struct crate *c = arg;
  if (login(c->address, &c->handle)) exit(1);
  pthread_barrier_wait(&logged_in);
  pthread_barrier_wait(&go);
  struct timespec next = start, now;
  for (long r = 0; r < rounds_wanted; r++) {
    sleep_until(&next);
    round_of(c);
    add_ns(&next, period_ns);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (before(&next, &now)) {
      /* the round took longer than the period: the next one starts now, not a burst to catch up */
      c->late++;
      next = now;
    }
  }
  sleep_until(&next);
  pthread_barrier_wait(&done);
  deinit(c->handle);
  return NULL;
}

static int paced_main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s --paced LIBRARY SECONDS PERIOD_MS ADDRESS...\n", argv[0]);
    return 2;
  }
  double secs = atof(argv[3]);
  double period_ms = atof(argv[4]);
  if (!(secs > 0) || !(period_ms > 0)) { fprintf(stderr, "SECONDS and PERIOD_MS must be > 0\n"); return 2; }
  rounds_wanted = (long)(secs * 1000 / period_ms + 0.5);
  if (rounds_wanted < 1) rounds_wanted = 1;
  period_ns = (long)(period_ms * 1e6);
  if (!load(argv[2])) return 1;
  int n = argc - 5;
  struct crate *crates = calloc((size_t)n, sizeof *crates);
  if (!crates) return 1;
  pthread_barrier_init(&logged_in, NULL, (unsigned)n + 1);
  pthread_barrier_init(&go, NULL, (unsigned)n + 1);
  pthread_barrier_init(&done, NULL, (unsigned)n + 1);
  for (int i = 0; i < n; i++) {
    crates[i].address = argv[5 + i];
    crates[i].handle = -1;
    if (pthread_create(&crates[i].thread, NULL, crate_thread, &crates[i])) { fprintf(stderr, "pthread_create failed\n"); return 1; }
  }
  pthread_barrier_wait(&logged_in);
  double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  clock_gettime(CLOCK_MONOTONIC, &start);
  double wall0 = (double)start.tv_sec + (double)start.tv_nsec / 1e9;
  pthread_barrier_wait(&go);
  pthread_barrier_wait(&done);
  double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
  long calls = 0, late = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(crates[i].thread, NULL);
    calls += crates[i].calls;
    late += crates[i].late;
  }
  printf("{\"crates\":%d,\"calls\":%ld,\"roundsPerCrate\":%ld,\"lateRounds\":%ld,\"periodMs\":%.3f,\"cpuSeconds\":%.6f,\"wallSeconds\":%.6f,"
         "\"callsPerSecond\":%.3f,\"cpuUsPerCall\":%.3f,\"corePercent\":%.4f}\n",
         n, calls, rounds_wanted, late, period_ms, cpu, wall, calls / wall, calls ? cpu * 1e6 / calls : 0.0, cpu / wall * 100);
  free(crates);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--paced") == 0) return paced_main(argc, argv);
  return loop_main(argc, argv);
}
