/*
 * output/credentials.h: the encrypted credential store of the outputs (compat 7.2).
 *
 * For each output (service, descriptor) the store holds one JSON object of that output's
 * credential properties, e.g. {"url": "https://hooks.slack.com/..."} for slack:security, in
 * its own file <data_dir>/credentials/<service>/<descriptor>.cred, encrypted with libsodium's
 * crypto_secretbox (XSalsa20-Poly1305) under a 32-byte key.  docs/credentials.md has the file
 * format, the key handling and the threat model.
 *
 * The key comes from, in this order:
 *   1. the environment variable VIGIL_CREDENTIALS_KEY: 64 hex characters, or base64
 *      (standard or URL-safe, padding optional) of 32 bytes;
 *   2. the key file <data_dir>/credentials.key (the same text), which must be a regular
 *      file owned by the current user with no group or other permissions (0600 or 0400).
 * vgl_credentials_open(..., create_key = true) creates a new random key file when neither
 * exists; only `vigil output set-credentials` asks for that, never the dispatcher.
 *
 * Secrets never appear in error messages: messages name the output ('slack:security'),
 * files and field names, never values.  Decrypted JSON is handed to the caller in a
 * vgl_buf; wipe it with vgl_credentials_buf_wipe() when done.
 *
 * Thread safety: an opened store is read-only after vgl_credentials_open(), so several
 * threads may call vgl_credentials_get() on it at once.  put() on one (service,
 * descriptor) from two processes at once is safe (atomic rename: the last one wins).
 */
#ifndef VGL_OUTPUT_CREDENTIALS_H
#define VGL_OUTPUT_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

#define VGL_CREDENTIALS_KEY_ENV "VIGIL_CREDENTIALS_KEY"
#define VGL_CREDENTIALS_KEY_FILE "credentials.key"  /* under data_dir */
#define VGL_CREDENTIALS_DIR "credentials"           /* under data_dir */
#define VGL_CREDENTIALS_MAX_JSON 65536              /* plaintext cap per output, bytes */
#define VGL_CREDENTIALS_NAME_MAX 128                /* service or descriptor, bytes */

struct vgl_credentials;   /* an opened store: its directory and the key */

/*
 * Opens the store of data_dir (absolute, or relative to the working directory) and loads
 * the key.  With create_key, a missing key (no environment variable, no key file) is
 * created as a new random key file (mode 0600; data_dir is created 0700 if missing);
 * without it, a missing key is VGL_ENOTFOUND with a message saying how to provide one.
 * A key file with group/other permissions or another owner is VGL_ECONFIG with a message
 * saying how to fix it.  Returns a new store (free with vgl_credentials_free) or NULL with
 * err set.
 */
struct vgl_credentials *vgl_credentials_open(const char *data_dir, bool create_key,
                                             struct vgl_error *err);

/* Wipes the key (sodium_memzero) and frees the store; NULL does nothing. */
void vgl_credentials_free(struct vgl_credentials *c);

/*
 * Creates the key file <data_dir>/credentials.key with a new random key, mode 0600.
 * Fails (VGL_EIO) if it already exists: an existing key is never replaced, because every
 * stored credential depends on it.  vgl_credentials_open(.., true, ..) calls this.
 */
int vgl_credentials_init_key(const char *data_dir, struct vgl_error *err);

/* Where the key came from, for messages: "environment variable VIGIL_CREDENTIALS_KEY" or
 * "key file '<path>'".  Valid until vgl_credentials_free(). */
const char *vgl_credentials_key_source(const struct vgl_credentials *c);

/* true when vgl_credentials_open() created the key file just now. */
bool vgl_credentials_key_created(const struct vgl_credentials *c);

/*
 * Checks that name is usable as a service or descriptor: 1 to VGL_CREDENTIALS_NAME_MAX
 * bytes of [A-Za-z0-9_.-], not starting with '.' (so no ':' or '/', no "." or "..").
 * what is "service" or "descriptor", for the message.  Returns 0 or VGL_EINVAL.
 */
int vgl_credentials_check_name(const char *what, const char *name, struct vgl_error *err);

/*
 * Encrypts json[0..len) (a JSON object, at most VGL_CREDENTIALS_MAX_JSON bytes) and stores
 * it as the credentials of service:descriptor, replacing any earlier ones.  Atomic: the
 * file is written under a temporary name (mode 0600), fsynced, then renamed over the old
 * one.  Creates <data_dir>/credentials/<service>/ (0700) as needed.  Returns 0, VGL_EINVAL
 * (bad names, not a JSON object), VGL_ELIMIT or VGL_EIO.
 */
int vgl_credentials_put(struct vgl_credentials *c, const char *service, const char *descriptor,
                        const char *json, size_t len, struct vgl_error *err);

/*
 * Decrypts the credentials of service:descriptor and appends the JSON object text to
 * out_json (NUL-terminated).  Returns 0; VGL_ENOTFOUND when none are stored; VGL_ECONFIG
 * when the file does not decrypt ("credentials for 'slack:security' cannot be decrypted
 * (wrong key or damaged file)") or is not a credentials file of a version we read;
 * VGL_EINVAL for bad names; VGL_EIO.  On error out_json is unchanged.  The caller wipes
 * out_json with vgl_credentials_buf_wipe().
 */
int vgl_credentials_get(const struct vgl_credentials *c, const char *service,
                        const char *descriptor, struct vgl_buf *out_json, struct vgl_error *err);

/* The path of the file of service:descriptor (whether or not it exists) into out. */
void vgl_credentials_path(const struct vgl_credentials *c, const char *service,
                          const char *descriptor, char *out, size_t outsz);

/* Zeroes all of b's memory (sodium_memzero), then releases it. */
void vgl_credentials_buf_wipe(struct vgl_buf *b);

/*
 * Calls fn(service, descriptor, ud) for every stored credential file of data_dir, sorted
 * by service then descriptor; needs no key and reads no file contents.  A missing
 * credentials directory is an empty list.  Stops and returns fn's value when it is not 0.
 */
typedef int (*vgl_credentials_list_fn)(const char *service, const char *descriptor, void *ud);
int vgl_credentials_list(const char *data_dir, vgl_credentials_list_fn fn, void *ud,
                         struct vgl_error *err);

/* ---- the credential fields of each output service (compat 7.5) ---- */

struct vgl_output_cred_field {
    const char *name;       /* JSON key, e.g. "routing_key" */
    const char *help;       /* prompt text */
    bool secret;            /* typed with echo off, never printed */
    bool required;
};

struct vgl_output_cred_fields {
    const char *service;    /* e.g. "pagerduty-v2" */
    const struct vgl_output_cred_field *fields;
    size_t nfields;
};

/* The fields of service, or NULL when it is not a service with credentials. */
const struct vgl_output_cred_fields *vgl_output_cred_fields(const char *service);

/* All services with credentials, in table order; *n receives the count. */
const struct vgl_output_cred_fields *vgl_output_cred_services(size_t *n);

/* true for the StreamAlert services configured without credentials (aws-s3, aws-sns, ...:
 * their descriptor maps to a resource in conf/outputs.json). */
bool vgl_output_cred_none(const char *service);

#endif
