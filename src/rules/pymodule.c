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

/* Breadth-first over dicts and lists: every dict holding search_key contributes its value;
 * truthy dict/list children are queued in insertion order; the normalization key is never
 * entered; with max_matches > 0 the search stops once that many were found. */
static PyObject *get_keys(PyObject *self, PyObject *args, PyObject *kwargs)
{
    (void)self;
    static char *kwlist[] = {"data", "search_key", "max_matches", NULL};
    PyObject *data, *key;
    Py_ssize_t max_matches = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|n", kwlist, &data, &key, &max_matches))
        return NULL;
    PyObject *found = PyList_New(0);
    if (!found)
        return NULL;
    /* The queue holds borrowed references: everything in it is reachable from data,
     * which the caller keeps alive for the call. */
    size_t cap = 64, head = 0, tail = 0;
    PyObject **queue = PyMem_Malloc(cap * sizeof *queue);
    if (!queue) {
        Py_DECREF(found);
        return PyErr_NoMemory();
    }
    queue[tail++] = data;
    PyObject *norm = PyUnicode_FromString(NORMALIZATION_KEY);
    int rc = norm ? 0 : -1;
    while (rc == 0 && head < tail) {
        PyObject *obj = queue[head++];
        if (PyDict_Check(obj)) {
            PyObject *v = PyDict_GetItemWithError(obj, key);
            if (v) {
                if (PyList_Append(found, v) != 0) {
                    rc = -1;
                    break;
                }
                if (max_matches > 0 && PyList_GET_SIZE(found) == max_matches)
                    break;
            } else if (PyErr_Occurred()) {
                /* an unhashable search key: dict lookup raises, as in Python */
                rc = -1;
                break;
            }
        }
        PyObject *k, *val;
        Py_ssize_t pos = 0, i = 0, n = 0;
        bool is_dict = PyDict_Check(obj);
        if (!is_dict && !PyList_Check(obj))
            continue;
        n = is_dict ? 0 : PyList_GET_SIZE(obj);
        for (;;) {
            if (is_dict) {
                if (!PyDict_Next(obj, &pos, &k, &val))
                    break;
                if (PyUnicode_Check(k)) {
                    int eq = PyUnicode_Compare(k, norm);
                    if (eq == 0)
                        continue;
                    if (eq == -1 && PyErr_Occurred())
                        PyErr_Clear();
                }
            } else {
                if (i >= n)
                    break;
                val = PyList_GET_ITEM(obj, i++);
            }
            if ((PyDict_Check(val) && PyDict_GET_SIZE(val) > 0) ||
                (PyList_Check(val) && PyList_GET_SIZE(val) > 0)) {
                if (tail == cap) {
                    cap *= 2;
                    PyObject **q = PyMem_Realloc(queue, cap * sizeof *q);
                    if (!q) {
                        rc = -1;
                        PyErr_NoMemory();
                        break;
                    }
                    queue = q;
                }
                queue[tail++] = val;
            }
        }
    }
    PyMem_Free(queue);
    Py_XDECREF(norm);
    if (rc != 0) {
        Py_DECREF(found);
        return NULL;
    }
    return found;
}

static PyMethodDef methods[] = {
    {"get_keys", (PyCFunction)(void (*)(void))get_keys, METH_VARARGS | METH_KEYWORDS,
     "get_keys(data, search_key, max_matches=-1) -> list: breadth-first key search (compat 5.1)"},
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
    return PyModule_Create(&module);
}
