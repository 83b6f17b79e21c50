/*
 * store_sqlite_ahead.c — the database file read ahead of a migration.
 *
 * A migration that reads every case (an index built, a table filled) asks
 * SQLite for the table's pages in key order, which is nearly the order of
 * the file, but one 4 KiB page at a time: on a year larger than memory the
 * disk then serves each page as a random read (20 minutes for a 53 GB year,
 * where reading the file in order takes a few). While a migration runs, the
 * store opens its connection through a VFS that wraps the default one and
 * notes where in the main file SQLite reads; a thread has the kernel read
 * the file in 8 MB pieces (readahead(2)) from there to a window ahead,
 * into its page cache, so SQLite's own reads find their pages there.
 *
 * Where SQLite reads is not one point: the pages of a table written over a
 * year lie spread over a few GB, and it reads index and free-list pages
 * elsewhere too. The thread follows the median of the last reads it was
 * told of, not the highest.
 */
#include "store_sqlite_int.h"

#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AHEAD_VFS "jiesu-ahead"
#define AHEAD_WINDOW ((int64_t)1 << 30) /* read this far ahead of SQLite */
#define AHEAD_CHUNK ((size_t)8 << 20)    /* in pieces this large */
#define AHEAD_RECENT 64                    /* the reads the position is the median of */

/* What the thread and the VFS share: the last offsets SQLite read in the main file. */
struct store_ahead {
	pthread_t thread;
	int fd;
	atomic_bool stop;
	_Atomic int64_t recent[AHEAD_RECENT];
	atomic_uint next;
	_Atomic int64_t bytes; /* read ahead so far */
};

/* A file opened through the VFS: the real file follows it in the same allocation. */
struct ahead_file {
	sqlite3_file base;
	struct store_ahead *watch; /* set on the main database file while a migration runs */
	sqlite3_file *real;
};

static sqlite3_vfs ahead_vfs, *real_vfs;
/* The store_ahead of the connection this thread is opening (store_ahead_open). */
static _Thread_local struct store_ahead *opening;

#define REAL(f) (((struct ahead_file *)(f))->real)

static int a_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int a_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct store_ahead *a = ((struct ahead_file *)f)->watch;
	if (a)
		atomic_store(&a->recent[atomic_fetch_add(&a->next, 1) % AHEAD_RECENT], (int64_t)off);
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int a_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int a_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int a_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int a_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int a_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int a_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int a_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int a_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int a_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int a_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int a_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int a_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void a_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int a_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int a_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int a_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods ahead_methods = {
    3,		 a_close,	 a_read,	   a_write,	   a_truncate,	 a_sync,
    a_file_size, a_lock,	 a_unlock,	   a_check_reserved, a_file_control, a_sector_size,
    a_device,	 a_shm_map,	 a_shm_lock,	   a_shm_barrier,    a_shm_unmap,	 a_fetch,
    a_unfetch,
};

static int a_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out)
{
	struct ahead_file *p = (struct ahead_file *)f;
	(void)vfs;
	p->real = (sqlite3_file *)(p + 1);
	p->watch = flags & SQLITE_OPEN_MAIN_DB ? opening : NULL;
	int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out);
	/* the real methods must know version 3 (the unix VFS's do); else the file is not wrapped usefully */
	p->base.pMethods = p->real->pMethods ? &ahead_methods : NULL;
	if (p->real->pMethods && p->real->pMethods->iVersion < 3) {
		p->real->pMethods->xClose(p->real);
		p->base.pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	return rc;
}

static void register_vfs(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	ahead_vfs = *real_vfs; /* its pAppData too: the methods not wrapped are the real ones */
	ahead_vfs.zName = AHEAD_VFS;
	ahead_vfs.pNext = NULL;
	ahead_vfs.szOsFile = (int)sizeof(struct ahead_file) + real_vfs->szOsFile;
	ahead_vfs.xOpen = a_open;
	sqlite3_vfs_register(&ahead_vfs, 0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Where SQLite reads: the median of its last reads; -1 before any. */
static int64_t ahead_position(struct store_ahead *a)
{
	int64_t v[AHEAD_RECENT];
	unsigned n = atomic_load(&a->next);
	if (n == 0)
		return -1;
	if (n > AHEAD_RECENT)
		n = AHEAD_RECENT;
	for (unsigned i = 0; i < n; i++)
		v[i] = atomic_load(&a->recent[i]);
	qsort(v, n, sizeof(v[0]), cmp_i64);
	return v[n / 2];
}

/* Seconds on the monotonic clock, from 1. */
static uint32_t now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint32_t)t.tv_sec + 1;
}

/*
 * Each tick, ask the kernel to read (readahead(2): into its page cache, no
 * copy) every piece from where SQLite reads to a window ahead that was not
 * asked for in the last minute. SQLite's reads may swing between parts of
 * the file (the table it scans, the index it writes); what was asked for
 * stays asked for, so a swing back costs nothing.
 */
static void *ahead_run(void *arg)
{
	struct store_ahead *a = arg;
	uint32_t *asked = NULL; /* per piece: when it was last asked for (0: never) */
	size_t npieces = 0;
	const struct timespec pause = {0, 20 * 1000 * 1000};
	while (!atomic_load(&a->stop)) {
		int64_t at = ahead_position(a);
		struct stat sb;
		if (at >= 0 && fstat(a->fd, &sb) == 0) {
			size_t n = (size_t)((sb.st_size + (int64_t)AHEAD_CHUNK - 1) / (int64_t)AHEAD_CHUNK);
			if (n > npieces) { /* the file grows as the migration writes */
				asked = xrealloc(asked, n * sizeof(*asked));
				memset(asked + npieces, 0, (n - npieces) * sizeof(*asked));
				npieces = n;
			}
			uint32_t now = now_seconds();
			for (size_t i = (size_t)(at / (int64_t)AHEAD_CHUNK);
			     i < npieces && (int64_t)(i * AHEAD_CHUNK) < at + AHEAD_WINDOW; i++)
				if ((!asked[i] || now - asked[i] > 60) &&
				    readahead(a->fd, (off64_t)(i * AHEAD_CHUNK), AHEAD_CHUNK) == 0) {
					asked[i] = now;
					atomic_fetch_add(&a->bytes, (int64_t)AHEAD_CHUNK);
				}
		}
		nanosleep(&pause, NULL);
	}
	free(asked);
	return NULL;
}

int store_ahead_open(struct store_ahead *a, const char *path, int flags, sqlite3 **db)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, register_vfs);
	opening = a;
	int r = sqlite3_open_v2(path, db, flags, AHEAD_VFS);
	opening = NULL;
	return r;
}

struct store_ahead *store_ahead_start(const char *path)
{
	struct store_ahead *a = xcalloc(1, sizeof(*a));
	a->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a->fd < 0 || pthread_create(&a->thread, NULL, ahead_run, a) != 0) {
		if (a->fd >= 0)
			close(a->fd);
		free(a);
		return NULL;
	}
	return a;
}

int64_t store_ahead_stop(struct store_ahead *a, sqlite3 *db)
{
	if (!a)
		return 0;
	atomic_store(&a->stop, true);
	pthread_join(a->thread, NULL);
	close(a->fd);
	sqlite3_file *f = NULL;
	if (db && sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f &&
	    f->pMethods == &ahead_methods && ((struct ahead_file *)f)->watch == a)
		((struct ahead_file *)f)->watch = NULL;
	int64_t bytes = atomic_load(&a->bytes);
	free(a);
	return bytes;
}
