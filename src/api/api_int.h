/*
 * api_int.h — internal to the api module: the handler signature, the
 * decoding helpers shared by the resource files, and the handlers.
 */
#ifndef JIESU_API_INT_H
#define JIESU_API_INT_H

#include "api.h"

typedef enum err_code (*api_handler_fn)(struct api_ctx *ctx, const struct actor *who,
					const struct api_request *req, const char **params,
					struct api_response *res, struct err *e);

/* Decode the body as one JSON object (E_MALFORMED / E_TOO_LARGE otherwise). */
enum err_code api_parse_body(const struct api_request *req, json_t **out, struct err *e);
/* Refuse keys not in the NULL-terminated allowed list; prefix names the parent object. */
enum err_code api_check_keys(json_t *obj, const char *const *allowed, const char *prefix, struct err *e);
/* Copy a string field; absent/null leaves dst empty unless required. */
enum err_code api_get_string(json_t *obj, const char *key, const char *prefix, char *dst, size_t size,
			     size_t max_chars, bool required, struct err *e);
enum err_code api_get_bool(json_t *obj, const char *key, const char *prefix, int *dst, struct err *e);
enum err_code api_get_number(json_t *obj, const char *key, const char *prefix, double *dst, bool required,
			     struct err *e);
enum err_code api_get_object(json_t *obj, const char *key, json_t **dst, struct err *e);
const char *api_query(const struct api_request *req, const char *key);
enum err_code api_query_int(const struct api_request *req, const char *key, long min, long max, long dflt,
			    long *out, struct err *e);

/* Decode a case intake body (also used by the command line). */
enum err_code api_decode_case_input(json_t *body, struct case_input *in, struct err *e);

/* A unit as the API shows it: {"code","name","kind","parent","sector"?}. */
json_t *api_unit_json(const struct unit *u);
/* JSON of a unit reference {"code","name"} or null. */
json_t *api_unit_ref(struct store *st, const char *code);
json_t *api_time(int64_t t);
/* An event's stored payload for display (api_cases.c): false when it is not jansson's compact text
 * (b unchanged); the _jansson one reads any JSON. Both drop the requester and show times as local. */
bool api_payload_draw(struct buf *b, const char *stored);
void api_payload_draw_jansson(struct buf *b, const char *stored);

/* The caller's bearer token, or the session cookie's (copied into cookie_tok), or NULL. */
const char *api_session_token(const struct api_request *req, char cookie_tok[TOKEN_CHARS + 1]);

/* Serve a web page or asset when the path is one ("/", "/assets/…"): true if it answered. */
bool api_web_page(struct api_ctx *ctx, const struct api_request *req, struct api_response *res, struct err *e);

#define HANDLER(name)                                                                                        \
	enum err_code name(struct api_ctx *ctx, const struct actor *who, const struct api_request *req,       \
			   const char **params, struct api_response *res, struct err *e)
/* Draw the reply a write left in res->reply_case (api_finish without its store_refresh). */
void api_reply_case(struct api_ctx *ctx, struct api_response *res);
HANDLER(api_healthz);
HANDLER(api_login);
HANDLER(api_logout);
HANDLER(api_session);
HANDLER(api_me);
HANDLER(api_password);
HANDLER(api_units_list);
HANDLER(api_unit_get);
HANDLER(api_categories_list);
HANDLER(api_case_create);
HANDLER(api_cases_list);
HANDLER(api_case_get);
HANDLER(api_case_action);
HANDLER(api_case_reveal);
HANDLER(api_report_rates);
HANDLER(api_report_people);
HANDLER(api_report_cases);
HANDLER(api_assess_config_get);
HANDLER(api_assess_config_put);
HANDLER(api_geo_resolve);
HANDLER(api_geo_boundaries);
HANDLER(api_gazetteer_list);
HANDLER(api_gazetteer_add);
HANDLER(api_gazetteer_delete);
HANDLER(api_users_list);
HANDLER(api_user_create);
HANDLER(api_user_update);
HANDLER(api_unit_create);
HANDLER(api_unit_update);
HANDLER(api_category_create);
HANDLER(api_category_update);
HANDLER(api_holidays_list);
HANDLER(api_holiday_put);
HANDLER(api_holiday_delete);

#endif
