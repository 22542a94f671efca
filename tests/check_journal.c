/* The --resume journal: packets to bytes and back, the file's checks
 * (damaged records, torn tails, files that are not journals), the key. */
#include "suites.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavutil/mem.h>

#include "engine/journal.h"
#include "engine/resume.h"

/* A chunk of n packets with the shapes encoders give: B-frame reordering,
 * a packet without times, side data, an empty packet. */
static void make_result(RdChunkResult *r, int index, int n)
{
    memset(r, 0, sizeof(*r));
    r->index = index;
    r->decoded = n + 1;
    r->frames = n;
    r->wasted = 7;
    r->damaged = 1;
    r->reorder_depth = 2;
    r->pkts = av_calloc(n, sizeof(*r->pkts));
    r->n = r->cap = n;
    for (int i = 0; i < n; i++) {
        AVPacket *p = r->pkts[i] = av_packet_alloc();
        int size = i == 3 ? 0 : 10 + 37 * i;
        ck_assert_int_eq(av_new_packet(p, size), 0);
        for (int k = 0; k < size; k++)
            p->data[k] = (uint8_t)(k * 31 + i);
        p->pts = 1000000000LL + 512 * ((i % 3 == 1) ? i + 1 : (i % 3 == 2) ? i - 1 : i);
        p->dts = 1000000000LL + 512 * (i - 2);
        p->duration = 512;
        p->flags = i == 0 ? AV_PKT_FLAG_KEY : (i == 5 ? AV_PKT_FLAG_DISPOSABLE : 0);
        if (i == 4)
            p->pts = AV_NOPTS_VALUE;
        if (i == 6)
            p->dts = AV_NOPTS_VALUE;
        if (i % 2) {
            uint8_t *sd = av_packet_new_side_data(p, AV_PKT_DATA_QUALITY_STATS, 8);
            memset(sd, i, 8);
        }
    }
    r->bytes = 0;
    for (int i = 0; i < n; i++)
        r->bytes += r->pkts[i]->size;
}

static void assert_same(const RdChunkResult *a, const RdChunkResult *b)
{
    ck_assert_int_eq(a->n, b->n);
    ck_assert_int_eq(a->decoded, b->decoded);
    ck_assert_int_eq(a->frames, b->frames);
    ck_assert_int_eq(a->wasted, b->wasted);
    ck_assert_int_eq(a->bytes, b->bytes);
    ck_assert_int_eq(a->damaged, b->damaged);
    ck_assert_int_eq(a->reorder_depth, b->reorder_depth);
    for (int i = 0; i < a->n; i++) {
        const AVPacket *p = a->pkts[i], *q = b->pkts[i];
        ck_assert_int_eq(p->pts, q->pts);
        ck_assert_int_eq(p->dts, q->dts);
        ck_assert_int_eq(p->duration, q->duration);
        ck_assert_int_eq(p->flags, q->flags);
        ck_assert_int_eq(p->size, q->size);
        ck_assert(!p->size || !memcmp(p->data, q->data, p->size));
        ck_assert_int_eq(p->side_data_elems, q->side_data_elems);
        for (int k = 0; k < p->side_data_elems; k++) {
            ck_assert_int_eq(p->side_data[k].type, q->side_data[k].type);
            ck_assert_int_eq(p->side_data[k].size, q->side_data[k].size);
            ck_assert(!memcmp(p->side_data[k].data, q->side_data[k].data, p->side_data[k].size));
        }
    }
}

START_TEST(test_pack_round_trip)
{
    RdChunkResult r, back = { 0 };
    uint8_t *buf;
    size_t len, payload = 0;
    make_result(&r, 3, 9);
    ck_assert_int_eq(rd_journal_pack(&r, &buf, &len), 0);
    ck_assert_int_eq(rd_journal_unpack(buf, len, &back), 0);
    assert_same(&r, &back);
    /* The overhead is a few bytes a packet (8 bytes of side data on half). */
    for (int i = 0; i < r.n; i++)
        payload += r.pkts[i]->size;
    ck_assert_uint_le(len, payload + 10 * r.n + 4 * 10 + 20);
    rd_chunk_result_free(&back);
    rd_chunk_result_free(&r);
    av_free(buf);
}
END_TEST

/* Any shorter buffer, a longer one, or a changed byte: an error or a
 * result, never a read outside the buffer (run under ASan by make asan). */
START_TEST(test_unpack_damage)
{
    RdChunkResult r, back = { 0 };
    uint8_t *buf, *cut;
    size_t len;
    make_result(&r, 0, 7);
    ck_assert_int_eq(rd_journal_pack(&r, &buf, &len), 0);
    for (size_t n = 0; n < len; n++) {
        cut = av_malloc(n ? n : 1);
        memcpy(cut, buf, n);
        ck_assert_int_eq(rd_journal_unpack(cut, n, &back), AVERROR_INVALIDDATA);
        ck_assert_ptr_null(back.pkts);
        av_free(cut);
    }
    cut = av_malloc(len + 1);
    memcpy(cut, buf, len);
    cut[len] = 0;
    ck_assert_int_eq(rd_journal_unpack(cut, len + 1, &back), AVERROR_INVALIDDATA);
    for (size_t i = 0; i < len; i++) {
        memcpy(cut, buf, len);
        cut[i] ^= 0xa5;
        if (rd_journal_unpack(cut, len, &back) >= 0)
            rd_chunk_result_free(&back);
    }
    av_free(cut);
    rd_chunk_result_free(&r);
    av_free(buf);
}
END_TEST

static char dir[64];
static char path[128];

static void setup_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/check_journal.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/out.mkv.journal", dir);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int names_in_dir(void)
{
    char cmd[160];
    FILE *f;
    int n = 0;
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
    f = popen(cmd, "r");
    ck_assert_int_eq(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

static void make_plan(RdPlan *p)
{
    static RdChunkPlan c[3] = { { 0, 10, 0, 0, 11, 10 }, { 10, 25, 8, 5, 26, 15.5 }, { 25, 40, 23, 20, 40, 15 } };
    p->n = 3;
    p->c = c;
}

/* Three chunks written (the middle one last), closed as after a kill. */
static void write_three(RdChunkResult *r)
{
    RdJournal *j;
    RdPlan plan;
    char err[256] = "";
    make_plan(&plan);
    for (int i = 0; i < 3; i++)
        make_result(&r[i], i, 4 + 3 * i);
    ck_assert_int_eq(rd_journal_create(&j, path, "a=1\nb=2\n", &plan, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(rd_journal_add(j, &r[0]), 0);
    ck_assert_int_eq(rd_journal_add(j, &r[2]), 0);
    ck_assert_int_eq(rd_journal_add(j, &r[1]), 0);
    ck_assert_int_eq(rd_journal_added(j), 3);
    rd_journal_close(&j, 0);
}

static int64_t offset_of(int chunk)
{
    RdJournal *j;
    char err[256];
    int64_t off;
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    off = rd_journal_entry(j, chunk)->offset;
    rd_journal_close(&j, 0);
    return off;
}

START_TEST(test_file_round_trip)
{
    RdChunkResult r[3], back = { 0 };
    RdJournal *j;
    RdPlan plan;
    char err[256];
    setup_dir();
    write_three(r);
    ck_assert_int_eq(names_in_dir(), 1); /* no temporary left */
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    ck_assert_str_eq(rd_journal_key(j), "a=1\nb=2\n");
    ck_assert_int_eq(rd_journal_nchunks(j), 3);
    ck_assert_int_eq(rd_journal_plan(j, &plan), 0);
    ck_assert_int_eq(plan.n, 3);
    ck_assert_int_eq(plan.c[1].first, 10);
    ck_assert_int_eq(plan.c[1].seek_from, 5);
    ck_assert_int_eq(plan.c[2].preroll_from, 23);
    ck_assert_int_eq(plan.c[1].postroll_to, 26);
    ck_assert_double_eq(plan.c[1].cost, 15.5);
    ck_assert_int_eq(plan.wasted, 5 + 5);
    rd_plan_free(&plan);
    for (int i = 0; i < 3; i++) {
        const RdJournalEntry *e = rd_journal_entry(j, i);
        ck_assert_int_eq(e->present, 1);
        ck_assert_int_eq(e->frames, r[i].frames);
        ck_assert_int_eq(e->decoded, r[i].decoded);
        ck_assert_int_eq(rd_journal_load(j, i, &back), 0);
        ck_assert_int_eq(back.index, i);
        assert_same(&r[i], &back);
        rd_chunk_result_free(&back);
        rd_chunk_result_free(&r[i]);
    }
    ck_assert_int_eq(rd_journal_damaged(j), 0);
    rd_journal_close(&j, 1);
    ck_assert_int_eq(names_in_dir(), 0); /* removed when asked */
    remove_dir();
}
END_TEST

/* A changed byte in one chunk's packets costs that chunk only. */
START_TEST(test_damaged_record)
{
    RdChunkResult r[3];
    RdJournal *j;
    char err[256];
    int fd;
    uint8_t b;
    setup_dir();
    write_three(r);
    fd = open(path, O_RDWR);
    ck_assert_int_eq(pread(fd, &b, 1, offset_of(2) + 5), 1);
    b ^= 1;
    ck_assert_int_eq(pwrite(fd, &b, 1, offset_of(2) + 5), 1);
    close(fd);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    ck_assert_int_eq(rd_journal_entry(j, 0)->present, 1);
    ck_assert_int_eq(rd_journal_entry(j, 1)->present, 1); /* written after the damaged one */
    ck_assert_int_eq(rd_journal_entry(j, 2)->present, 0);
    ck_assert_int_eq(rd_journal_damaged(j), 1);
    /* Encoded again and appended: the next open finds it. */
    ck_assert_int_eq(rd_journal_add(j, &r[2]), 0);
    rd_journal_close(&j, 0);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    ck_assert_int_eq(rd_journal_entry(j, 2)->present, 1);
    rd_journal_close(&j, 0);
    for (int i = 0; i < 3; i++)
        rd_chunk_result_free(&r[i]);
    remove_dir();
}
END_TEST

/* A run killed while writing a record leaves a torn tail: cut off, and the
 * records before it kept. */
START_TEST(test_torn_tail)
{
    RdChunkResult r[3], back = { 0 };
    RdJournal *j;
    struct stat st;
    char err[256];
    setup_dir();
    write_three(r);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(truncate(path, st.st_size - 3), 0);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    ck_assert_int_eq(rd_journal_entry(j, 0)->present, 1);
    ck_assert_int_eq(rd_journal_entry(j, 2)->present, 1);
    ck_assert_int_eq(rd_journal_entry(j, 1)->present, 0);
    ck_assert_int_eq(rd_journal_damaged(j), 0);
    ck_assert_int_eq(rd_journal_add(j, &r[1]), 0);
    rd_journal_close(&j, 0);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    ck_assert_int_eq(rd_journal_load(j, 1, &back), 0);
    assert_same(&r[1], &back);
    rd_chunk_result_free(&back);
    rd_journal_close(&j, 0);
    for (int i = 0; i < 3; i++)
        rd_chunk_result_free(&r[i]);
    remove_dir();
}
END_TEST

/* Files at the journal's name that are not to be touched, and a damaged header. */
START_TEST(test_not_a_journal)
{
    RdChunkResult r[3];
    RdJournal *j;
    RdPlan plan;
    char err[256] = "", other[160];
    FILE *f;
    int fd;
    setup_dir();
    make_plan(&plan);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 0); /* none */
    ck_assert_ptr_null(j);
    f = fopen(path, "w");
    fputs("precious user data\n", f);
    fclose(f);
    ck_assert_int_lt(rd_journal_open(&j, path, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "not a render journal"));
    ck_assert_int_eq(rd_journal_create(&j, path, "k=1\n", &plan, 0, err, sizeof(err)), AVERROR(EEXIST));
    ck_assert_int_eq(names_in_dir(), 1);
    unlink(path);
    snprintf(other, sizeof(other), "%s/target", dir);
    f = fopen(other, "w");
    fclose(f);
    ck_assert_int_eq(symlink(other, path), 0);
    ck_assert_int_lt(rd_journal_open(&j, path, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
    unlink(path);
    ck_assert_int_eq(link(other, path), 0);
    ck_assert_int_lt(rd_journal_open(&j, path, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(strstr(err, "hard links"));
    unlink(path);
    unlink(other);
    write_three(r);
    fd = open(path, O_RDWR);
    ck_assert_int_eq(pwrite(fd, "X", 1, 14), 1); /* inside the key */
    close(fd);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 2);
    ck_assert_ptr_null(j);
    ck_assert_int_eq(rd_journal_create(&j, path, "k=1\n", &plan, 1, err, sizeof(err)), 0);
    rd_journal_close(&j, 0);
    ck_assert_int_eq(rd_journal_open(&j, path, err, sizeof(err)), 1);
    ck_assert_str_eq(rd_journal_key(j), "k=1\n");
    ck_assert_int_eq(rd_journal_entry(j, 0)->present, 0);
    rd_journal_close(&j, 0);
    for (int i = 0; i < 3; i++)
        rd_chunk_result_free(&r[i]);
    remove_dir();
}
END_TEST

START_TEST(test_key_diff)
{
    char buf[200];
    const char *a = "input.size=100\ninput.index=ab\nvf=hqdn3d\ncrf=23\n";
    ck_assert_int_eq(rd_resume_key_diff(a, a, buf, sizeof(buf)), 0);
    ck_assert_int_eq(rd_resume_key_diff(a, "input.size=101\ninput.index=ab\nvf=hqdn3d\ncrf=23\n",
                                        buf, sizeof(buf)), 1);
    ck_assert_str_eq(buf, "input.size: 100 then, 101 now");
    ck_assert_int_eq(rd_resume_key_diff(a, "input.size=100\ninput.index=ab\nvf=hqdn3d\ncrf=20\n",
                                        buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "crf: 23 then, 20 now");
    /* an option only one run had */
    ck_assert_int_eq(rd_resume_key_diff(a, "input.size=100\ninput.index=ab\nvf=hqdn3d\ncrf=23\nopt.g=5\n",
                                        buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "opt.g: none then, 5 now");
    ck_assert_int_eq(rd_resume_key_diff("input.size=100\ninput.index=ab\nvf=hqdn3d\ncrf=23\nopt.g=5\n", a,
                                        buf, sizeof(buf)), 2);
    /* a name that is a prefix of another is not that other */
    ck_assert_int_eq(rd_resume_key_diff("vf=a\nvfx=b\n", "vfx=b\nvf=a\n", buf, sizeof(buf)), 0);
}
END_TEST

Suite *make_journal_suite(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_pack_round_trip);
    tcase_add_test(tc, test_unpack_damage);
    tcase_add_test(tc, test_file_round_trip);
    tcase_add_test(tc, test_damaged_record);
    tcase_add_test(tc, test_torn_tail);
    tcase_add_test(tc, test_not_a_journal);
    tcase_add_test(tc, test_key_diff);
    suite_add_tcase(s, tc);
    return s;
}
