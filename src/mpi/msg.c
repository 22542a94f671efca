/*
 * msg.c - a finished chunk from a worker rank to rank 0, and the line that
 * names a failure.
 *
 * MPI counts are int, so a chunk (lossless 4K can pass 2 GiB) goes as a
 * head with its size, then DATA pieces of at most PIECE bytes; messages
 * from one source arrive in the order sent, so the pieces need no number.
 */
#include <omp.h>
#include <stdio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "mpi/rdmpi.h"

#define PIECE ((size_t)1 << 30)

static int mpi_err(int rc)
{
    return rc == MPI_SUCCESS ? 0 : AVERROR_EXTERNAL;
}

int rd_msg_send_result(const RdChunkResult *r, int worker, double t_start, double t_end)
{
    uint8_t *buf = NULL;
    size_t len = 0, off;
    RdWireHead h;
    double now;
    int ret;

    if ((ret = rd_wire_pack(r, &buf, &len)) < 0)
        return ret;
    now = omp_get_wtime();
    h.size = (int64_t)len;
    h.worker = worker;
    h.chunk = r->index;
    h.age_start = now - t_start;
    h.age_end = now - t_end;
    ret = mpi_err(MPI_Send(&h, sizeof(h), MPI_BYTE, 0, RD_TAG_RESULT, MPI_COMM_WORLD));
    for (off = 0; ret >= 0 && off < len; off += PIECE) {
        size_t n = len - off < PIECE ? len - off : PIECE;
        ret = mpi_err(MPI_Send(buf + off, (int)n, MPI_BYTE, 0, RD_TAG_DATA, MPI_COMM_WORLD));
    }
    av_free(buf);
    return ret;
}

int rd_msg_recv_result(int src, RdWireHead *h, RdChunkResult **pres)
{
    uint8_t *buf = NULL;
    size_t off, len;
    int ret;

    *pres = NULL;
    ret = mpi_err(MPI_Recv(h, sizeof(*h), MPI_BYTE, src, RD_TAG_RESULT, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
    if (ret < 0)
        return ret;
    if (h->size < 0)
        return AVERROR_INVALIDDATA;
    len = (size_t)h->size;
    /* On failure rank 0 aborts the job, so pieces left unread do not matter. */
    if (!(buf = av_malloc(len ? len : 1)))
        return AVERROR(ENOMEM);
    for (off = 0; ret >= 0 && off < len; off += PIECE) {
        size_t n = len - off < PIECE ? len - off : PIECE;
        ret = mpi_err(MPI_Recv(buf + off, (int)n, MPI_BYTE, src, RD_TAG_DATA, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE));
    }
    if (ret >= 0)
        ret = rd_wire_unpack(buf, len, pres);
    av_free(buf);
    return ret;
}

void rd_msg_describe(const RdMpi *m, RdMpiError *e, int chunk, int ret, const char *detail)
{
    const char *why = detail && *detail ? detail : av_err2str(ret);
    e->chunk = chunk;
    e->ret = ret;
    if (chunk >= 0)
        snprintf(e->text, sizeof(e->text), "chunk %d on rank %d (host %s): %s",
                 chunk, m->rank, m->host, why);
    else
        snprintf(e->text, sizeof(e->text), "rank %d (host %s): %s", m->rank, m->host, why);
}
