#include "io/input.h"

#include "io/paths.h"

int rd_input_open(AVFormatContext **pic, const char *path, int keep)
{
    AVDictionary *o = NULL;
    int ret;
    /* libav opens any URL it is given; only the protocols allowed (paths.h). */
    if ((ret = av_dict_set(&o, "protocol_whitelist", rd_paths_protocols(), 0)) < 0)
        return ret;
    ret = avformat_open_input(pic, path, NULL, &o);
    av_dict_free(&o);
    if (ret < 0)
        return ret;
    if ((ret = avformat_find_stream_info(*pic, NULL)) < 0) {
        avformat_close_input(pic);
        return ret;
    }
    for (unsigned i = 0; keep >= 0 && i < (*pic)->nb_streams; i++)
        (*pic)->streams[i]->discard = (int)i == keep ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    return 0;
}
