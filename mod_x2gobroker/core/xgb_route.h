/*
 * xgb_route.h - which endpoint a URL names (spec 1.1), below the path of
 * the section that hands requests to the broker.
 */
#ifndef XGB_ROUTE_H
#define XGB_ROUTE_H

typedef enum {
    XGB_ROUTE_NONE,             /* nothing of ours: 404 */
    XGB_ROUTE_ROOT,             /* the section itself: "It works" */
    XGB_ROUTE_PLAIN,            /* plain/<backend>/ (x2goclient) */
    XGB_ROUTE_JSON,             /* json/<backend>/ (python-x2go) */
    XGB_ROUTE_UCCS,             /* uccs/... (Arctica Greeter) */
    XGB_ROUTE_PUBKEYS           /* pubkeys/ */
} xgb_route_e;

/**
 * Route `uri` below `base` (a <Location> path; trailing slashes do not
 * count; NULL or a base that is no prefix of uri at a segment boundary:
 * the whole uri is routed).  *rest is what follows "plain/", "json/" or
 * "uccs/" (the backend part); "" for the other routes.
 */
xgb_route_e xgb_route(const char *base, const char *uri, const char **rest);

#endif
