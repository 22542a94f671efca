#include "engine/rawpic.h"

#include <libavutil/frame.h>
#include <libavutil/imgutils.h>

int rd_rawpic_flatten(AVPacket *pkt)
{
    const AVFrame *f = (const AVFrame *)pkt->data;
    AVBufferRef *buf = NULL;
    int size, ret;
    if (!f || pkt->size < (int)sizeof(*f))
        return AVERROR(EINVAL);
    if ((size = av_image_get_buffer_size(f->format, f->width, f->height, 1)) < 0)
        return size;
    if (!(buf = av_buffer_alloc(size + AV_INPUT_BUFFER_PADDING_SIZE)))
        return AVERROR(ENOMEM);
    ret = av_image_copy_to_buffer(buf->data, size, (const uint8_t *const *)f->data, f->linesize,
                                  f->format, f->width, f->height, 1);
    if (ret < 0) {
        av_buffer_unref(&buf);
        return ret;
    }
    av_buffer_unref(&pkt->buf); /* frees the frame f points to */
    pkt->buf = buf;
    pkt->data = buf->data;
    pkt->size = size;
    return 0;
}

static void free_frame(void *opaque, uint8_t *data)
{
    AVFrame *f = (AVFrame *)data;
    (void)opaque;
    av_frame_free(&f);
}

int rd_rawpic_wrap(AVPacket *pkt, const AVCodecParameters *par)
{
    AVFrame *f;
    AVBufferRef *buf;
    int ret, size = av_image_get_buffer_size(par->format, par->width, par->height, 1);
    if (size < 0)
        return size;
    if (!pkt->buf || pkt->size != size)
        return AVERROR_INVALIDDATA;
    if (!(f = av_frame_alloc()))
        return AVERROR(ENOMEM);
    f->format = par->format;
    f->width = par->width;
    f->height = par->height;
    if ((ret = av_image_fill_arrays(f->data, f->linesize, pkt->data, par->format, par->width,
                                    par->height, 1)) < 0 ||
        !(f->buf[0] = av_buffer_ref(pkt->buf)))
        goto fail;
    if (!(buf = av_buffer_create((uint8_t *)f, sizeof(*f), free_frame, NULL, 0)))
        goto fail;
    av_buffer_unref(&pkt->buf);
    pkt->buf = buf;
    pkt->data = buf->data;
    pkt->size = sizeof(*f);
    return 0;
fail:
    av_frame_free(&f);
    return ret < 0 ? ret : AVERROR(ENOMEM);
}
