/* auth: an ARM access token from, in this order unless one is named, a service principal
 * in the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, and AZURE_CLIENT_SECRET or
 * AZURE_CLIENT_SECRET_FILE), the managed identity (IMDS, never through a proxy), or the
 * Azure CLI (`az account get-access-token`, never its cache files).  All of it runs on the
 * poll loop: token calls go through arm, the CLI is a child whose pipe the loop polls.
 * The secret is read once, kept in memory only, wiped on free, never logged or put in argv. */
#ifndef SSHTRIAGE_AZURE_AUTH_H
#define SSHTRIAGE_AZURE_AUTH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "azure/arm.h"

enum auth_source { AUTH_ANY, AUTH_SP, AUTH_IMDS, AUTH_CLI };

struct auth;

/* Reads the environment (secret files included).  Returns NULL and a message when the
 * environment is inconsistent (e.g. a client id without a tenant, an unreadable secret
 * file, a secret file readable by others). */
/* Takes AZURE_CLIENT_SECRET out of the environment (the block overwritten, the variable
 * unset) and keeps it for auth_new: call it first thing in main. */
void auth_take_env_secret(void);

struct auth *auth_new(struct arm *arm, enum auth_source only, char *err, size_t errlen);
void auth_free(struct auth *au);

/* Starts getting a token (if none is fresh); ready() runs from the loop with ok and, when
 * not ok, why every source failed.  A fresh token calls ready() at the next auth_handle. */
void auth_get(struct auth *au, void (*ready)(void *arg, bool ok, const char *why), void *arg);
/* Stops getting a token; ready() will not be called. */
void auth_cancel(struct auth *au);
/* After a 401: forget the token so the next auth_get fetches a new one. */
void auth_invalidate(struct auth *au);
/* Which source gave the current token ("service principal", "managed identity", "Azure CLI"). */
const char *auth_source_name(const struct auth *au);
bool auth_busy(const struct auth *au);

int auth_pollfds(const struct auth *au, struct pollfd *fds, int max);
int auth_timeout(const struct auth *au);
void auth_handle(struct auth *au, const struct pollfd *fds, int n);

#endif
