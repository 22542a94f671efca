/*
 * filtertab_md.c - prints the table at the end of docs/FILTERS.md from
 * src/engine/filtertab.c, so the page cannot drift from the code:
 * `make docs-filters` writes it there, `make test` checks it
 * (tests/docs_filters.sh).
 */
#include <stdio.h>
#include <string.h>

#include "engine/contract.h"
#include "engine/filtertab.h"

typedef struct Bit {
    unsigned bit;
    const char *name;
} Bit;

static const Bit flag_names[] = {
    { RD_FCF_LINK_COUNT, "link-count" }, { RD_FCF_FIRST_PTS, "first-pts" },
    { RD_FCF_RETIMES, "retimes" },       { RD_FCF_SOURCE, "source" },
};
static const Bit effect_names[] = { { RD_FX_NET, "net" }, { RD_FX_PLUGIN, "plugin" } };

/* The names of the bits set, separated by spaces. */
static const char *words(char *buf, size_t len, unsigned bits, const Bit *names, int n)
{
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        if (bits & names[i].bit)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "", names[i].name);
    return buf;
}

int main(void)
{
    char fl[64], fx[64];
    puts("| filter | kind | back | ahead | flags | reads | writes | effects | why |");
    puts("|---|---|---|---|---|---|---|---|---|");
    for (int i = 0; i < rd_filtertab_count(); i++) {
        const RdFilterInfo *r = rd_filtertab_at(i);
        printf("| %s | %s | %d | %d | %s | %s | %s | %s | %s |\n", r->name, rd_contract_kind_name(r->kind),
               r->back, r->ahead,
               words(fl, sizeof(fl), r->flags, flag_names, (int)(sizeof(flag_names) / sizeof(*flag_names))),
               r->reads ? r->reads : "", r->writes ? r->writes : "",
               words(fx, sizeof(fx), r->effects, effect_names, (int)(sizeof(effect_names) / sizeof(*effect_names))),
               r->why);
    }
    return 0;
}
