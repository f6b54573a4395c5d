//! Push (API.md §8): the webhook sender. `sender` POSTs one signed notice where the SSRF rules
//! allow; `worker` drains the queue of `service::webhooks` on every instance.

pub mod sender;
pub mod worker;
