/*
 * summary.c - GET /v1/metrics/summary and GET /v1/metrics/series: the
 * tenant's figures over a range, read from the rollups (app/metrics.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "app/metrics.h"
#include "channels/json_fields.h"

/* from (default: 30 days before to), to (default: now), channel: into r;
 * false with the answer in *ret when one is bad. */
static bool range_read(api_request *r, app_metrics_range *mr,
		       enum MHD_Result *ret)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	const char *channel = api_query(r, "channel");
	bool has_from = false, has_to = false;

	memset(mr, 0, sizeof(*mr));
	if (!api_query_time(r, "from", &mr->from, &has_from, ret) ||
	    !api_query_time(r, "to", &mr->to, &has_to, ret))
		return false;
	if (!has_to)
		mr->to = api_now(r);
	if (!has_from)
		mr->from = mr->to - 30 * 86400;
	if (channel) {
		if (!*channel || strlen(channel) >= sizeof(mr->channel)) {
			*ret = api_reply_fail(r, ORDO_EINVALID, "channel",
					      "a channel is 1 to %d bytes",
					      (int)sizeof(mr->channel) - 1);
			return false;
		}
		ordo_strlcpy(mr->channel, channel, sizeof(mr->channel));
	}
	if (app_metrics_range_check(mr, err)) {
		*ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return false;
	}
	return true;
}

enum MHD_Result api_metrics_summary(api_request *r)
{
	static const char *const query[] = {"from", "to", "channel", NULL};
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_metrics_range mr;
	enum MHD_Result ret;
	json_t *j;

	if (!api_query_only(r, query, &ret) || !range_read(r, &mr, &ret))
		return ret;
	if (app_metrics_summary(r->srv->st, &r->caller, &mr, api_now(r), &j,
				err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result api_metrics_series(api_request *r)
{
	static const char *const query[] = {"metric", "bucket", "from", "to",
					    "channel", NULL};
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	const char *metric = api_query(r, "metric");
	const char *bucket = api_query(r, "bucket");
	app_metrics_range mr;
	enum MHD_Result ret;
	char list[JF_LIST_MAX] = "";
	size_t i;
	json_t *j;

	if (!api_query_only(r, query, &ret))
		return ret;
	for (i = 0; app_metric_series_names[i]; i++)
		jf_list_add(list, sizeof(list), app_metric_series_names[i]);
	if (!metric)
		return api_reply_fail(r, ORDO_EINVALID, "metric",
				      "is required: one of %s", list);
	for (i = 0; app_metric_series_names[i]; i++)
		if (strcmp(metric, app_metric_series_names[i]) == 0)
			break;
	if (!app_metric_series_names[i])
		return api_reply_fail(r, ORDO_EINVALID, "metric",
				      "\"%s\" is not a metric a series "
				      "follows; one of: %s",
				      metric, list);
	if (bucket && strcmp(bucket, "hour") != 0 && strcmp(bucket, "day") != 0)
		return api_reply_fail(r, ORDO_EINVALID, "bucket",
				      "\"%s\" is not a bucket; one of: hour, "
				      "day",
				      bucket);
	if (!range_read(r, &mr, &ret))
		return ret;
	/* Without a bucket: by the hour what an hourly series covers, else
	 * by the day. */
	if (app_metrics_series(r->srv->st, &r->caller, &mr, metric,
			       bucket ? bucket[0]
			       : mr.to - mr.from <=
					       (int64_t)APP_METRICS_SERIES_HOURS_MAX_DAYS *
						       86400
				       ? 'h'
				       : 'd',
			       &j, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result api_metrics_automation(api_request *r)
{
	static const char *const query[] = {"from", "to", "min_holds", NULL};
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_metrics_range mr;
	enum MHD_Result ret;
	int64_t min_holds = APP_AUTOMATE_MIN_HOLDS;
	json_t *j;

	if (!api_query_only(r, query, &ret) || !range_read(r, &mr, &ret) ||
	    !api_query_int(r, "min_holds", 1, 1000000, &min_holds, NULL,
			   &ret))
		return ret;
	if (app_metrics_automation(r->srv->st, &r->caller, &mr, min_holds, &j,
				   err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	return api_reply_json(r, MHD_HTTP_OK, j);
}
