-- insert.lua: the ceiling's durable insert, with a body the size of an order.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"external_id":"B-1","customer":{"email":"bench@example.com"},"currency":"EUR",' ..
  '"lines":[{"sku":"TEA-SENCHA","quantity":2,"unit_price":1290},' ..
  '{"sku":"ACC-FILTER","quantity":1,"unit_price":390,"discount":40}],"shipping":490,"total":3420}'
