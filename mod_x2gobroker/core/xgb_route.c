/*
 * xgb_route.c - which endpoint a URL names.
 *
 * httpd has already merged repeated slashes (MergeSlashes) and decoded
 * the path; what is left is a plain prefix test per endpoint, as the
 * reference's Tornado routes are.
 */
#include <string.h>

#include "xgb_route.h"

/* The part of uri below base, or uri itself if base is not its prefix. */
static const char *below(const char *base, const char *uri)
{
    size_t len;

    if (!base) {
        return uri;
    }
    len = strlen(base);
    while (len && base[len - 1] == '/') {
        len--;
    }
    if (strncmp(uri, base, len) != 0
        || (uri[len] != '\0' && uri[len] != '/')) {
        return uri;
    }
    return uri + len;
}

/* "/pubkeys" followed by nothing but slashes (spec 1.1). */
static int is_pubkeys(const char *path)
{
    if (strncmp(path, "/pubkeys", 8) != 0) {
        return 0;
    }
    for (path += 8; *path == '/'; path++) {
    }
    return *path == '\0';
}

xgb_route_e xgb_route(const char *base, const char *uri, const char **rest)
{
    static const struct {
        const char *prefix;
        xgb_route_e route;
    } tree[] = {
        { "/plain/", XGB_ROUTE_PLAIN },
        { "/json/", XGB_ROUTE_JSON },
        { "/uccs/", XGB_ROUTE_UCCS },
    };
    const char *path;
    size_t i;

    *rest = "";
    if (!uri) {
        return XGB_ROUTE_NONE;
    }
    path = below(base, uri);
    for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
        size_t n = strlen(tree[i].prefix);

        if (strncmp(path, tree[i].prefix, n) == 0) {
            *rest = path + n;
            return tree[i].route;
        }
    }
    if (is_pubkeys(path)) {
        return XGB_ROUTE_PUBKEYS;
    }
    if (!*path || !strcmp(path, "/")) {
        return XGB_ROUTE_ROOT;
    }
    return XGB_ROUTE_NONE;
}
