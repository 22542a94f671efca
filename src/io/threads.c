#include "io/threads.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* libgomp's reading of OMP_STACKSIZE: a number, then B, K, M or G (K when none). */
static size_t parse_size(const char *v)
{
    char *end;
    unsigned long long n;
    size_t shift = 10;
    while (isspace((unsigned char)*v))
        v++;
    if (!isdigit((unsigned char)*v))
        return 0;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno)
        return 0;
    while (isspace((unsigned char)*end))
        end++;
    switch (tolower((unsigned char)*end)) {
    case 'b': shift = 0; end++; break;
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    case '\0': break;
    default: return 0;
    }
    while (isspace((unsigned char)*end))
        end++;
    if (*end || n > (SIZE_MAX >> shift))
        return 0;
    return (size_t)n << shift;
}

size_t rd_threads_stack(void)
{
    const char *v = getenv("OMP_STACKSIZE");
    pthread_attr_t a;
    size_t s = 0;
    if (!v)
        v = getenv("GOMP_STACKSIZE");
    if (v && (s = parse_size(v)))
        return s;
    if (pthread_attr_init(&a) == 0) {
        pthread_attr_getstacksize(&a, &s);
        pthread_attr_destroy(&a);
    }
    return s;
}

static void *idle(void *arg)
{
    return arg;
}

int rd_threads_try(int workers, size_t stack, int *err)
{
    pthread_t *t;
    pthread_attr_t a;
    int made = 0;

    *err = 0;
    if (workers <= 1)
        return workers < 1 ? 1 : workers;
    if (!(t = calloc((size_t)workers - 1, sizeof(*t))))
        return *err = ENOMEM, 1;
    if ((*err = pthread_attr_init(&a)) != 0) {
        free(t);
        return 1;
    }
    /* A size the system refuses is libgomp's problem as much: the default stays. */
    if (stack)
        pthread_attr_setstacksize(&a, stack);
    /* Joinable threads keep their stacks until joined: all are held at once, as libgomp's pool holds them. */
    while (made < workers - 1 && (*err = pthread_create(&t[made], &a, idle, NULL)) == 0)
        made++;
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
    pthread_attr_destroy(&a);
    free(t);
    return made + 1;
}
