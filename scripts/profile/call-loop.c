/*
 * The floor of a GetChParam from C: N calls of CAENHV_GetChParam (one parameter, channels 0..n-1 of one
 * slot) through the given libcaenhvwrapper.so (CAEN's or the simulator's), linked at run time with
 * dlopen so that the same binary works with either. Prints one JSON line: the calling thread's CPU
 * time (CLOCK_THREAD_CPUTIME_ID) and the wall time, per call. Used by scripts/profile/call-cost.ts.
 *   call-loop LIBRARY ADDRESS CALLS [SLOT PARAM CHANNELS]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*init_fn)(int, int, void *, const char *, const char *, int *);
typedef int (*deinit_fn)(int);
typedef int (*get_ch_param_fn)(int, unsigned short, const char *, unsigned short, const unsigned short *, void *);

static double seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s LIBRARY ADDRESS CALLS [SLOT PARAM CHANNELS]\n", argv[0]);
    return 2;
  }
  int calls = atoi(argv[3]);
  unsigned short slot = (unsigned short)(argc > 4 ? atoi(argv[4]) : 0);
  const char *param = argc > 5 ? argv[5] : "VMon";
  int n = argc > 6 ? atoi(argv[6]) : 24;
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  init_fn init = (init_fn)dlsym(lib, "CAENHV_InitSystem");
  deinit_fn deinit = (deinit_fn)dlsym(lib, "CAENHV_DeinitSystem");
  get_ch_param_fn get = (get_ch_param_fn)dlsym(lib, "CAENHV_GetChParam");
  if (!init || !deinit || !get) { fprintf(stderr, "missing symbols\n"); return 1; }
  int handle = -1;
  /* SY4527 = 2, TCPIP = 0 */
  int rc = init(2, 0, argv[2], "admin", "admin", &handle);
  if (rc) { fprintf(stderr, "InitSystem: %d\n", rc); return 1; }
  unsigned short list[1024];
  float values[1024];
  for (int i = 0; i < n; i++) list[i] = (unsigned short)i;
  if ((rc = get(handle, slot, param, (unsigned short)n, list, values))) { fprintf(stderr, "GetChParam: %d\n", rc); return 1; }
  double cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
  for (int i = 0; i < calls; i++) {
    if ((rc = get(handle, slot, param, (unsigned short)n, list, values))) { fprintf(stderr, "GetChParam: %d\n", rc); return 1; }
  }
  double cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0, wall = seconds(CLOCK_MONOTONIC) - wall0;
  deinit(handle);
  printf("{\"calls\":%d,\"cpuUsPerCall\":%.3f,\"wallUsPerCall\":%.3f}\n", calls, cpu * 1e6 / calls, wall * 1e6 / calls);
  return 0;
}
