/*
 * stop_signals.c - the handler and the masks.
 */
#include "stop_signals.h"

#include <errno.h>
#include <string.h>

volatile sig_atomic_t stop_signals_received;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stop_signals_received = 1;
}

int stop_signals_catch(sigset_t *wait_mask)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, wait_mask) != 0)
        return -errno;
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
        return -errno;
    return 0;
}
