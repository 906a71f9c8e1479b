-- webhook_post.lua: POST of a webhook-sized JSON body, for the receiver's
-- ceiling in bench/webhooks (what any sender could reach on that receiver).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["webhook-id"] = "evt_01M8S0Z4KMEBA4QP"
wrk.headers["webhook-timestamp"] = "1796136212"
wrk.headers["webhook-signature"] = "v1,b0XDX94fVzh9/v2rPolf2C5iC/+XoP8BQAMqVlqmDUc="
wrk.body = '{"type":"order.created","timestamp":"2026-12-01T14:43:31.060Z",' ..
  '"data":{"object":"order","id":"ord_01M8S0Z4KKS993RD","customer":"cus_01M8S0Z4KKS993EN"}}'
