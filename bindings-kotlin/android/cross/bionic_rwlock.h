/* Forced into libunwind's C++ (toolchain.py). libunwind is compiled with musl's headers but
   calls bionic's pthread_rwlock_* at run time, so the lock it embeds must have bionic's
   layout: bionic's pthread_rwlock_t is 40 bytes on 32-bit ABIs where musl's is 32, and
   bionic would write past the end of musl's. The lock gets bionic's type here, and the
   calls go through overloads that pass it on. toolchain.py checks the size it ends up with. */
#ifndef TOKENFETCH_BIONIC_RWLOCK_H
#define TOKENFETCH_BIONIC_RWLOCK_H
#ifdef __cplusplus
#include <pthread.h>
#include <stdint.h>

/* bionic/libc/include/bits/pthread_types.h */
typedef struct {
#if defined(__LP64__)
  int32_t __private[14];
#else
  int32_t __private[10];
#endif
} tokenfetch_bionic_rwlock_t;

static_assert(sizeof(tokenfetch_bionic_rwlock_t) == (sizeof(void *) == 8 ? 56 : 40),
              "bionic's pthread_rwlock_t is 56 bytes on LP64 and 40 on 32-bit ABIs");

static inline int pthread_rwlock_rdlock(tokenfetch_bionic_rwlock_t *lock) {
  return pthread_rwlock_rdlock(reinterpret_cast<pthread_rwlock_t *>(lock));
}
static inline int pthread_rwlock_wrlock(tokenfetch_bionic_rwlock_t *lock) {
  return pthread_rwlock_wrlock(reinterpret_cast<pthread_rwlock_t *>(lock));
}
static inline int pthread_rwlock_unlock(tokenfetch_bionic_rwlock_t *lock) {
  return pthread_rwlock_unlock(reinterpret_cast<pthread_rwlock_t *>(lock));
}

#define pthread_rwlock_t tokenfetch_bionic_rwlock_t
#undef PTHREAD_RWLOCK_INITIALIZER
#define PTHREAD_RWLOCK_INITIALIZER {{0}}
#endif
#endif
