#include "engine/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "io/outfile.h"

void rd_report_free(RdReport *r)
{
    if (r)
        av_freep(&r->chunks);
}

cJSON *rd_json_add_number(cJSON *obj, const char *name, double v)
{
    if (!isfinite(v))
        return cJSON_AddNullToObject(obj, name);
    return cJSON_AddNumberToObject(obj, name, v);
}

cJSON *rd_report_input_json(const RdReport *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "path", r->input);
    rd_json_add_number(o, "duration_s", r->duration_s);
    cJSON_AddNumberToObject(o, "width", r->width);
    cJSON_AddNumberToObject(o, "height", r->height);
    rd_json_add_number(o, "fps", r->fps);
    cJSON_AddNumberToObject(o, "frames", (double)r->frames);
    cJSON_AddStringToObject(o, "codec", r->codec);
    return o;
}

cJSON *rd_report_chunk_json(const RdChunkReport *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "index", c->index);
    cJSON_AddNumberToObject(o, "worker", c->worker);
    rd_json_add_number(o, "start_s", c->start_s);
    rd_json_add_number(o, "end_s", c->end_s);
    rd_json_add_number(o, "media_start_s", c->media_start_s);
    rd_json_add_number(o, "media_end_s", c->media_end_s);
    cJSON_AddNumberToObject(o, "frames", (double)c->frames);
    cJSON_AddNumberToObject(o, "wasted_frames", (double)c->wasted_frames);
    cJSON_AddNumberToObject(o, "bytes", (double)c->bytes);
    rd_json_add_number(o, "cpu_s", c->cpu_s);
    cJSON_AddBoolToObject(o, "resumed", c->resumed);
    return o;
}

/* A planned chunk: what it will do, nothing measured. */
static cJSON *planned_chunk_json(const RdChunkReport *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "index", c->index);
    rd_json_add_number(o, "media_start_s", c->media_start_s);
    rd_json_add_number(o, "media_end_s", c->media_end_s);
    cJSON_AddNumberToObject(o, "frames", (double)c->frames);
    cJSON_AddNumberToObject(o, "wasted_frames", (double)c->wasted_frames);
    rd_json_add_number(o, "cost_share", c->cost_share);
    return o;
}

void rd_report_print_plan(const RdReport *r, FILE *out)
{
    if (r->remux && r->no_video) {
        fprintf(out, "render --dry-run: %s: no video (-vn, or a format ffmpeg writes the audio alone into): "
                "the other streams in one pass, no chunks\n", r->input);
        return;
    }
    if (r->remux) {
        fprintf(out, "render --dry-run: %s: %dx%d, %.3g fps, %s\n"
                "remux (-c:v copy): the video's packets are copied in one pass, no chunks, no decoding\n",
                r->input, r->width, r->height, r->fps, r->codec);
        return;
    }
    fprintf(out, "render --dry-run: %s: %dx%d, %.3g fps, %lld frames (%.2f s), %s\n",
            r->input, r->width, r->height, r->fps, (long long)r->frames, r->duration_s, r->codec);
    fprintf(out, "plan for %d workers (vf=%s, %s, pre-roll %d, post-roll %d", r->workers_requested, r->vf,
            r->vcodec, r->preroll, r->postroll);
    if (r->encoder_warmup)
        fprintf(out, ", encoder warm-up %d", r->encoder_warmup);
    fprintf(out, "): %d chunks, %lld frames decoded and thrown away\n", r->nchunks, (long long)r->wasted_frames);
    fprintf(out, "chunk contract: %s, %s%s%s%s%s\n", r->contract,
            r->one_chunk ? (r->exact ? "one chunk" : "one chunk, approximate")
                         : r->exact ? "exact" : "approximate",
            *r->contract_filter ? ": filter '" : "", r->contract_filter,
            *r->contract_filter ? "' " : *r->contract_why ? ": " : "", r->contract_why);
    fprintf(out, "list scheduling (dynamic,1) predicts %.2fx on uniform content (a wasted frame"
            " 0.3 of a processed one), %.2fx with the plan's own cost estimates\n",
            r->predicted_speedup, r->predicted_speedup_est);
    fprintf(out, "measured on the first frame: opening a chunk %.1f ms, the filter graph %.1f ms a frame\n",
            1000 * r->chunk_open_s, 1000 * r->filter_frame_s);
    if (r->replay_weight > 0 && r->replay_frame_s > 0)
        fprintf(out, "replay: each chunk first feeds the graph every frame before its pre-roll at frozen times "
                "(%s's state alone): a replayed frame %.1f ms against a processed one's %.1f ms (measured "
                "on the first frames), weighed %.2f of a frame\n", r->contract_filter, 1000 * r->replay_frame_s,
                1000 * r->replay_graph_s, r->replay_weight);
    else if (r->replay_weight > 0)
        fprintf(out, "replay: each chunk first feeds the graph every frame before its pre-roll (%s makes each "
                "as it makes any, the encoder skipped), weighed %.2f of a frame\n", r->contract_filter,
                r->replay_weight);
    if (r->startup_measured)
        fprintf(out, "measured on two chunks (%s): a chunk start costs %.1f ms CPU (%.1f frames) and %.0f bytes"
                " (%.1f frames), a steady frame %.1f ms (%.0f%% in the encoder) and %.0f bytes\n", r->vcodec,
                1000 * r->startup_s, r->startup_frame_s > 0 ? r->startup_s / r->startup_frame_s : 0,
                r->startup_bytes, r->startup_frame_bytes > 0 ? r->startup_bytes / r->startup_frame_bytes : 0,
                1000 * r->startup_frame_s, 100 * r->startup_enc_share, r->startup_frame_bytes);
    fprintf(out, "chunk starts: %.1f%% of the work (limit %.0f%%), extra keyframes: %.1f%% of the bytes"
            " (limit %.0f%%); split %s", 100 * r->start_share, 100 * r->max_start, 100 * r->key_share,
            100 * r->max_key_bytes, r->split);
    if (r->scene_cuts >= 0)
        fprintf(out, ": %d scene cuts (%d from the index), %d of %d joins on a cut", r->scene_cuts,
                r->scene_cuts_index, r->cut_joins, r->nchunks > 0 ? r->nchunks - 1 : 0);
    if (r->cuts_priced >= 0)
        fprintf(out, "; %s keys only some cuts itself: the keyframes of %d cuts priced by encoding from them,"
                " %d too dear to start a chunk on", r->vcodec, r->cuts_priced, r->cuts_dear);
    fputc('\n', out);
    if (r->start_reads >= 0)
        fprintf(out, "%s decides on screen content at each chunk's first frame: %lld of %lld frames read "
                "decide as the first frame does; chunks start only on those\n", r->vcodec,
                (long long)r->start_anchors, (long long)r->start_reads);
    fprintf(out, "%6s %14s %12s %7s %7s %10s\n", "chunk", "media_start_s", "media_end_s",
            "frames", "wasted", "cost_share");
    for (int i = 0; i < r->nchunks; i++) {
        const RdChunkReport *c = &r->chunks[i];
        fprintf(out, "%6d %14.3f %12.3f %7lld %7lld %9.2f%%\n", c->index, c->media_start_s,
                c->media_end_s, (long long)c->frames, (long long)c->wasted_frames,
                100 * c->cost_share);
    }
}

/* What each chunk decodes, feeds and keeps, and who decided (contract.h). */
static void contract_json(cJSON *root, const RdReport *r)
{
    cJSON *o = cJSON_AddObjectToObject(root, "contract");
    cJSON_AddStringToObject(o, "kind", r->contract);
    cJSON_AddNumberToObject(o, "preroll", r->preroll);
    cJSON_AddNumberToObject(o, "postroll", r->postroll);
    cJSON_AddBoolToObject(o, "one_chunk", r->one_chunk);
    cJSON_AddBoolToObject(o, "exact", r->exact);
    if (*r->contract_filter)
        cJSON_AddStringToObject(o, "filter", r->contract_filter);
    else
        cJSON_AddNullToObject(o, "filter");
    cJSON_AddStringToObject(o, "why", r->contract_why);
    /* kept at the top level too, where --dry-run reports had it */
    if (r->dry_run)
        cJSON_AddNumberToObject(root, "preroll", r->preroll);
}

/* How the chunks were cut and what their starts cost (startup.h, scenes.h). */
static void plan_json(cJSON *root, const RdReport *r)
{
    cJSON *o = cJSON_AddObjectToObject(root, "plan");
    cJSON *st;
    if (!o)
        return;
    cJSON_AddStringToObject(o, "split", r->split);
    if (r->startup_measured && (st = cJSON_AddObjectToObject(o, "startup"))) {
        rd_json_add_number(st, "start_s", r->startup_s);
        rd_json_add_number(st, "frame_s", r->startup_frame_s);
        rd_json_add_number(st, "start_bytes", r->startup_bytes);
        rd_json_add_number(st, "frame_bytes", r->startup_frame_bytes);
        rd_json_add_number(st, "encoder_share", r->startup_enc_share);
    } else
        cJSON_AddNullToObject(o, "startup");
    rd_json_add_number(o, "start_share", r->start_share);
    rd_json_add_number(o, "max_start", r->max_start);
    rd_json_add_number(o, "key_share", r->key_share);
    rd_json_add_number(o, "max_key_bytes", r->max_key_bytes);
    if (r->scene_cuts >= 0) {
        cJSON_AddNumberToObject(o, "scene_cuts", r->scene_cuts);
        cJSON_AddNumberToObject(o, "scene_cuts_index", r->scene_cuts_index);
    } else {
        cJSON_AddNullToObject(o, "scene_cuts");
        cJSON_AddNullToObject(o, "scene_cuts_index");
    }
    cJSON_AddNumberToObject(o, "cut_joins", r->cut_joins);
    cJSON_AddNumberToObject(o, "joins", r->nchunks > 0 ? r->nchunks - 1 : 0);
    cJSON_AddNumberToObject(o, "recut_joins", r->recut_joins);
    if (r->replay_weight > 0)
        rd_json_add_number(o, "replay_weight", r->replay_weight);
    else
        cJSON_AddNullToObject(o, "replay_weight");
    if (r->cuts_priced >= 0) {
        cJSON_AddNumberToObject(o, "cuts_priced", r->cuts_priced);
        cJSON_AddNumberToObject(o, "cuts_dear", r->cuts_dear);
    } else {
        cJSON_AddNullToObject(o, "cuts_priced");
        cJSON_AddNullToObject(o, "cuts_dear");
    }
    if (r->start_reads >= 0) {
        cJSON_AddNumberToObject(o, "start_frames_read", (double)r->start_reads);
        cJSON_AddNumberToObject(o, "start_frames_agree", (double)r->start_anchors);
    } else {
        cJSON_AddNullToObject(o, "start_frames_read");
        cJSON_AddNullToObject(o, "start_frames_agree");
    }
}

cJSON *rd_report_to_json(const RdReport *r)
{
    cJSON *root = cJSON_CreateObject(), *wl, *ph, *arr;
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "schema", "render-report/1");
    cJSON_AddItemToObject(root, "input", rd_report_input_json(r));
    wl = cJSON_AddObjectToObject(root, "workload");
    cJSON_AddStringToObject(wl, "vf", r->vf);
    cJSON_AddStringToObject(wl, "vcodec", r->vcodec);
    cJSON_AddStringToObject(wl, "options", r->options);
    cJSON_AddNumberToObject(root, "workers_requested", r->workers_requested);
    cJSON_AddNumberToObject(root, "threads", r->threads);
    cJSON_AddStringToObject(root, "schedule", r->schedule);
    cJSON_AddNumberToObject(root, "chunks", r->nchunks);
    contract_json(root, r);
    ph = cJSON_AddObjectToObject(root, "phases");
    rd_json_add_number(ph, "probe_s", r->probe_s);
    rd_json_add_number(ph, "plan_s", r->plan_s);
    rd_json_add_number(ph, "parallel_s", r->parallel_s);
    rd_json_add_number(ph, "merge_tail_s", r->merge_tail_s);
    rd_json_add_number(ph, "total_s", r->total_s);
    cJSON_AddNumberToObject(root, "frames_out", (double)r->frames_out);
    cJSON_AddNumberToObject(root, "wasted_decode_frames", (double)r->wasted_frames);
    cJSON_AddNumberToObject(root, "output_bytes", (double)r->output_bytes);
    cJSON_AddNumberToObject(root, "resumed_chunks", r->resumed_chunks);
    cJSON_AddNumberToObject(root, "resumed_frames", (double)r->resumed_frames);
    plan_json(root, r);
    if (r->remux)
        cJSON_AddBoolToObject(root, "remux", 1);
    if (r->no_video)
        cJSON_AddBoolToObject(root, "no_video", 1);
    if (r->dry_run) {
        cJSON_AddBoolToObject(root, "dry_run", 1);
        rd_json_add_number(root, "predicted_speedup", r->predicted_speedup);
        rd_json_add_number(root, "predicted_speedup_est", r->predicted_speedup_est);
        rd_json_add_number(root, "chunk_open_s", r->chunk_open_s);
        rd_json_add_number(root, "filter_frame_s", r->filter_frame_s);
    }
    if (!r->dry_run) {
        cJSON *rc = cJSON_AddObjectToObject(root, "ratectl");
        cJSON_AddStringToObject(rc, "mode", r->rc_mode ? r->rc_mode : "none");
        cJSON_AddNumberToObject(rc, "bitrate", (double)r->rc_bitrate);
        rd_json_add_number(rc, "pass1_s", r->rc_pass1_s);
        cJSON_AddNumberToObject(rc, "vbv_joins_redone", r->vbv_joins_redone);
        cJSON_AddNumberToObject(rc, "vbv_joins_short", r->vbv_joins_short);
        cJSON_AddNumberToObject(rc, "gop_grid", r->gop_grid);
        cJSON_AddNumberToObject(rc, "encoder_warmup", r->encoder_warmup);
        cJSON_AddNumberToObject(rc, "join_keyframes", r->join_keyframes);
    }
    arr = cJSON_AddArrayToObject(root, "chunks_detail");
    for (int i = 0; arr && i < r->nchunks; i++)
        cJSON_AddItemToArray(arr, r->dry_run ? planned_chunk_json(&r->chunks[i])
                                             : rd_report_chunk_json(&r->chunks[i]));
    return root;
}

static int commit(FILE *f, int ret, const char *tmp, const char *path, int overwrite)
{
    if (ferror(f) && !ret)
        ret = AVERROR(EIO);
    if (fclose(f) != 0 && !ret)
        ret = AVERROR(errno);
    if (!ret)
        return rd_outfile_commit(tmp, path, overwrite);
    rd_outfile_discard(tmp);
    return ret;
}

int rd_file_commit(FILE *f, int ret, const char *tmp, const char *path)
{
    return commit(f, ret, tmp, path, 1);
}

FILE *rd_file_create(const char *path, char *tmp, int tmplen, int *ret)
{
    FILE *f;
    int fd;
    rd_outfile_clean_stale(path, RD_OUTFILE_TMP);
    if ((fd = *ret = rd_outfile_create(path, RD_OUTFILE_TMP, tmp, tmplen)) < 0)
        return NULL;
    if (!(f = fdopen(fd, "w"))) {
        *ret = AVERROR(errno);
        close(fd);
        rd_outfile_discard(tmp);
        return NULL;
    }
    *ret = 0;
    return f;
}

int rd_json_write_file(const cJSON *json, const char *path)
{
    return rd_json_save(json, path, 1);
}

int rd_json_save(const cJSON *json, const char *path, int overwrite)
{
    char tmp[4096];
    char *text = cJSON_Print(json);
    FILE *f = NULL;
    int ret = 0;

    if (!text)
        return AVERROR(ENOMEM);
    if (!strcmp(path, "-")) {
        ret = puts(text) < 0 ? AVERROR(EIO) : 0;
        goto end;
    }
    if (!(f = rd_file_create(path, tmp, sizeof(tmp), &ret)))
        goto end;
    ret = fputs(text, f) < 0 || fputc('\n', f) < 0 ? AVERROR(EIO) : 0;
    ret = commit(f, ret, tmp, path, overwrite);
end:
    cJSON_free(text);
    return ret;
}
