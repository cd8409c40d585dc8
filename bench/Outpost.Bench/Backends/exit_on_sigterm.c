/* Linked beside bench/hubscale/tinyserver.c for P11 (bench/Outpost.Bench/Backends): as PID 1 of a container the
 * kernel ignores SIGTERM unless the program handles it, so a container stop would wait for the engine's SIGKILL.
 * A constructor installs the handler before tinyserver's main runs; outside a container nothing changes. */
#include <signal.h>
#include <unistd.h>

static void on_term(int signal_number) { (void)signal_number; _exit(0); }

__attribute__((constructor)) static void exit_on_sigterm(void) { signal(SIGTERM, on_term); }
