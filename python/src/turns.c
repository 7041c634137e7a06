/* A ticket lock whose waiters release the GIL (see kzvpy.h). */
#include "kzvpy.h"

int kzvpy_turns_init(kzvpy_turns *t)
{
    if (t->ready)
        return 0;
    if (pthread_mutex_init(&t->mutex, NULL) != 0)
        return -1;
    if (pthread_cond_init(&t->cond, NULL) != 0) {
        pthread_mutex_destroy(&t->mutex);
        return -1;
    }
    t->next = t->serving = 0;
    t->ready = true;
    return 0;
}

void kzvpy_turns_destroy(kzvpy_turns *t)
{
    if (!t->ready)
        return;
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->mutex);
    t->ready = false;
}

void kzvpy_turns_take(kzvpy_turns *t)
{
    pthread_mutex_lock(&t->mutex);
    uint64_t mine = t->next++;
    bool now = t->serving == mine;
    pthread_mutex_unlock(&t->mutex);
    if (now)
        return;
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&t->mutex);
    while (t->serving != mine)
        pthread_cond_wait(&t->cond, &t->mutex);
    pthread_mutex_unlock(&t->mutex);
    Py_END_ALLOW_THREADS
}

bool kzvpy_turns_try(kzvpy_turns *t)
{
    pthread_mutex_lock(&t->mutex);
    bool free_now = t->serving == t->next;
    if (free_now)
        t->next++;
    pthread_mutex_unlock(&t->mutex);
    return free_now;
}

void kzvpy_turns_give(kzvpy_turns *t)
{
    pthread_mutex_lock(&t->mutex);
    t->serving++;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->mutex);
}
