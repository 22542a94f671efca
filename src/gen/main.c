/*
 * main.c - gen-mandelbrot: parse, run, report; the only place that turns an
 * error code into a message and an exit status.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "gen/cli.h"
#include "gen/gen.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

static volatile sig_atomic_t interrupted;

/* libav's last error message, to add to our one line instead of printing
 * its own lines (encoders explain "Invalid argument" there). */
static char last_log[256];
static pthread_mutex_t last_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void keep_last_error(void *avcl, int level, const char *fmt, va_list vl)
{
    char line[sizeof(last_log)];
    int prefix = 0;     /* no "[libx264 @ 0x...]": the message alone */

    if (level > AV_LOG_ERROR)
        return;
    av_log_format_line(avcl, level, fmt, vl, line, sizeof(line), &prefix);
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0])
        return;
    pthread_mutex_lock(&last_log_lock);
    memcpy(last_log, line, sizeof(last_log));
    pthread_mutex_unlock(&last_log_lock);
}

static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
    GenSettings s;
    GenCliOptions o;
    GenStats st = { 0 };
    char err[512] = "";
    int ret;

    gen_settings_defaults(&s);
    ret = gen_cli_parse(argc, argv, &s, &o, err, sizeof(err));
    if (ret > 0)
        return EXIT_OK;
    if (ret < 0) {
        fprintf(stderr, GEN_NAME ": %s\n", err);
        return EXIT_USAGE;
    }
    if (!o.verbose)
        av_log_set_callback(keep_last_error);
    catch_signals();
    s.cancel   = &interrupted;
    s.progress = !o.quiet && isatty(STDERR_FILENO);

    ret = gen_run(&s, &st, err, sizeof(err));
    if (ret == AVERROR_EXIT && interrupted) {
        fprintf(stderr, GEN_NAME ": interrupted\n");
        return EXIT_INTERRUPTED;
    }
    if (ret < 0) {
        if (!err[0])
            av_strerror(ret, err, sizeof(err));
        pthread_mutex_lock(&last_log_lock);
        if (last_log[0])
            fprintf(stderr, GEN_NAME ": %s (%s)\n", err, last_log);
        else
            fprintf(stderr, GEN_NAME ": %s\n", err);
        pthread_mutex_unlock(&last_log_lock);
        return EXIT_FAILED;
    }
    if (!o.quiet)
        fprintf(stderr, GEN_NAME ": %lld frame%s in %.1f s (%.1f fps, %d thread%s)\n",
                (long long)st.frames, st.frames == 1 ? "" : "s", st.seconds,
                st.seconds > 0 ? st.frames / st.seconds : 0.0,
                st.threads, st.threads == 1 ? "" : "s");
    return EXIT_OK;
}
