/*
 * rules/pymodule.c: the _vigil built-in module: what the Python side needs from C.
 *
 * s3_get(endpoint, region, bucket, key, access_key_id, secret_access_key, session_token)
 * fetches one object from any S3-compatible endpoint with libcurl's SigV4 signing
 * (CURLOPT_AWS_SIGV4), path-style.  The lookup-table s3 driver uses it.  Returns bytes;
 * raises OSError naming the URL and the HTTP status or curl error.  TLS verification is
 * on; responses are capped at 256 MiB.
 *
 * get_keys(data, search_key, max_matches=-1) is streamalert.shared.utils.get_keys (compat
 * 5.1) in C: rules call it on every record, and the Python breadth-first search cost more
 * than all other work of a typical rule.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"

PyObject *vgl_pyinit_vigil(void);

#define S3_MAX_BYTES (256u << 20)

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct vgl_buf *b = ud;
    return vgl_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* Percent-encodes an object key, keeping '/' (path-style URLs). */
static void append_key(struct vgl_buf *url, const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~/", *p)) {
            vgl_buf_putc(url, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            vgl_buf_append(url, e, 3);
        }
    }
}

static PyObject *s3_get(PyObject *self, PyObject *args)
{
    (void)self;
    const char *endpoint, *region, *bucket, *key, *ak, *sk, *token = NULL;
    if (!PyArg_ParseTuple(args, "ssssss|z", &endpoint, &region, &bucket, &key, &ak, &sk, &token))
        return NULL;
    struct vgl_buf url, body;
    vgl_buf_init(&url, 8192);
    vgl_buf_init(&body, S3_MAX_BYTES);
    vgl_buf_puts(&url, endpoint);
    if (url.len && url.data[url.len - 1] != '/')
        vgl_buf_putc(&url, '/');
    append_key(&url, bucket);
    vgl_buf_putc(&url, '/');
    append_key(&url, key[0] == '/' ? key + 1 : key);
    char sigv4[256], userpwd[1024], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", region);
    snprintf(userpwd, sizeof userpwd, "%s:%s", ak, sk);
    struct curl_slist *hdrs = NULL;
    if (token && *token) {
        char h[4096];
        snprintf(h, sizeof h, "x-amz-security-token: %s", token);
        hdrs = curl_slist_append(hdrs, h);
    }
    CURL *c = curl_easy_init();
    CURLcode rc = CURLE_FAILED_INIT;
    long status = 0;
    if (c) {
        curl_easy_setopt(c, CURLOPT_URL, url.data);
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        Py_BEGIN_ALLOW_THREADS
        rc = curl_easy_perform(c);
        Py_END_ALLOW_THREADS
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
    }
    curl_slist_free_all(hdrs);
    PyObject *res = NULL;
    if (rc != CURLE_OK) {
        PyErr_Format(PyExc_OSError, "s3 GET %s: %s", url.data,
                     errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (status < 200 || status > 299) {
        char snippet[200];
        size_t n = body.len < sizeof snippet - 1 ? body.len : sizeof snippet - 1;
        memcpy(snippet, body.data ? body.data : "", n);
        snippet[n] = '\0';
        PyErr_Format(PyExc_OSError, "s3 GET %s: HTTP %ld: %s", url.data, status, snippet);
    } else {
        res = PyBytes_FromStringAndSize(body.data ? body.data : "", (Py_ssize_t)body.len);
    }
    vgl_buf_release(&url);
    vgl_buf_release(&body);
    return res;
}

#define NORMALIZATION_KEY "streamalert_normalization"

static PyObject *norm_key;   /* interned NORMALIZATION_KEY, made with the module */

/* Is k the normalization key?  Record keys are interned (rules/engine.c caches them), and
 * two interned strs are equal only when they are the same object, so the usual answer
 * costs a pointer and a length compare. */
static inline bool is_norm_key(PyObject *k)
{
    if (k == norm_key)
        return true;
    if (!PyUnicode_Check(k) || PyUnicode_GET_LENGTH(k) != (Py_ssize_t)strlen(NORMALIZATION_KEY) ||
        PyUnicode_CHECK_INTERNED(k))
        return false;
    int eq = PyUnicode_Compare(k, norm_key);
    if (eq == -1 && PyErr_Occurred())
        PyErr_Clear();
    return eq == 0;
}

/* Breadth-first over dicts and lists: every dict holding key contributes its value;
 * truthy dict/list children are queued in insertion order; the normalization key is never
 * entered; with max_matches > 0 the search stops once that many were found.  Values go to
 * `found` (a list) or, when it is NULL, the first one to *first (borrowed).  -1 on error. */
static int search_keys(PyObject *data, PyObject *key, Py_ssize_t max_matches, PyObject *found,
                       PyObject **first)
{
    /* The queue holds borrowed references: everything in it is reachable from data,
     * which the caller keeps alive for the call. */
    PyObject *small[64], **queue = small;
    size_t cap = 64, head = 0, tail = 0;
    Py_ssize_t nfound = 0;
    int rc = 0;
    queue[tail++] = data;
    while (head < tail) {
        PyObject *obj = queue[head++];
        bool is_dict = PyDict_Check(obj);
        if (is_dict) {
            PyObject *v = PyDict_GetItemWithError(obj, key);
            if (v) {
                nfound++;
                if (!found) {
                    *first = v;
                    break;
                }
                if (PyList_Append(found, v) != 0) {
                    rc = -1;
                    break;
                }
                if (max_matches > 0 && nfound == max_matches)
                    break;
            } else if (PyErr_Occurred()) {
                /* an unhashable search key: dict lookup raises, as in Python */
                rc = -1;
                break;
            }
        } else if (!PyList_Check(obj)) {
            continue;
        }
        PyObject *k, *val;
        Py_ssize_t pos = 0, i = 0, n = is_dict ? 0 : PyList_GET_SIZE(obj);
        for (;;) {
            if (is_dict) {
                if (!PyDict_Next(obj, &pos, &k, &val))
                    break;
                if (is_norm_key(k))
                    continue;
            } else {
                if (i >= n)
                    break;
                val = PyList_GET_ITEM(obj, i++);
            }
            if ((PyDict_Check(val) && PyDict_GET_SIZE(val) > 0) ||
                (PyList_Check(val) && PyList_GET_SIZE(val) > 0)) {
                if (tail == cap) {
                    PyObject **q = PyMem_Malloc(cap * 2 * sizeof *q);
                    if (!q) {
                        PyErr_NoMemory();
                        rc = -1;
                        break;
                    }
                    /* drop what was already taken: head items are done */
                    memcpy(q, queue + head, (tail - head) * sizeof *q);
                    tail -= head;
                    head = 0;
                    if (queue != small)
                        PyMem_Free(queue);
                    queue = q;
                    cap *= 2;
                }
                queue[tail++] = val;
            }
        }
        if (rc != 0)
            break;
    }
    if (queue != small)
        PyMem_Free(queue);
    return rc;
}

/* get_keys(data, search_key, max_matches=-1) */
static PyObject *get_keys(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames)
{
    (void)self;
    static const char *const kwlist[] = {"data", "search_key", "max_matches", NULL};
    static _PyArg_Parser parser = {.format = "OO|n:get_keys", .keywords = kwlist};
    PyObject *data, *key;
    Py_ssize_t max_matches = -1;
    if (!_PyArg_ParseStackAndKeywords(args, nargs, kwnames, &parser, &data, &key, &max_matches))
        return NULL;
    PyObject *found = PyList_New(0);
    if (found && search_keys(data, key, max_matches, found, NULL) != 0)
        Py_CLEAR(found);
    return found;
}

/* get_first_key(data, search_key, default_value=None): get_keys(..., max_matches=1)[0] or
 * default_value, without the list. */
static PyObject *get_first_key(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames)
{
    (void)self;
    static const char *const kwlist[] = {"data", "search_key", "default_value", NULL};
    static _PyArg_Parser parser = {.format = "OO|O:get_first_key", .keywords = kwlist};
    PyObject *data, *key, *dflt = Py_None, *first = NULL;
    if (!_PyArg_ParseStackAndKeywords(args, nargs, kwnames, &parser, &data, &key, &dflt))
        return NULL;
    if (search_keys(data, key, 1, NULL, &first) != 0)
        return NULL;
    PyObject *res = first ? first : dflt;
    Py_INCREF(res);
    return res;
}

static PyMethodDef methods[] = {
    {"get_keys", (PyCFunction)(void (*)(void))get_keys, METH_FASTCALL | METH_KEYWORDS,
     "get_keys(data, search_key, max_matches=-1) -> list: breadth-first key search (compat 5.1)"},
    {"get_first_key", (PyCFunction)(void (*)(void))get_first_key, METH_FASTCALL | METH_KEYWORDS,
     "get_first_key(data, search_key, default_value=None): the first value get_keys finds"},
    {"s3_get", s3_get, METH_VARARGS,
     "s3_get(endpoint, region, bucket, key, access_key_id, secret_access_key, session_token=None)"
     " -> bytes: GET one object with SigV4 (path-style)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_vigil", "vigil's C helpers for its Python package", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyObject *vgl_pyinit_vigil(void)
{
    if (!norm_key) {
        norm_key = PyUnicode_InternFromString(NORMALIZATION_KEY);
        if (!norm_key)
            return NULL;
    }
    return PyModule_Create(&module);
}
