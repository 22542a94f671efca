/*
 * avlog.h - the library's own words for a failure. libav codecs, filters
 * and demuxers say why they refuse ("invalid preset 'bogus'") only in a log
 * line, while the AVERROR they return is vague ("Invalid argument"). Each
 * thread keeps its last error-level log line, so a caller that sees a
 * failure can name the real reason in its one line.
 */
#ifndef RD_AVLOG_H
#define RD_AVLOG_H

/**
 * Install the log callback (process-wide; call once, before any thread
 * starts). Lines are still printed as av_log's default callback prints
 * them, at the level av_log_set_level() allows.
 */
void rd_avlog_install(void);

/** Forget this thread's last error line (call before the step you watch). */
void rd_avlog_clear(void);

/**
 * This thread's last error-level line since rd_avlog_clear(), without the
 * trailing newline and with control characters replaced; "" when none (or
 * when rd_avlog_install() was not called). Valid until the thread's next
 * log line.
 */
const char *rd_avlog_last(void);

#endif
