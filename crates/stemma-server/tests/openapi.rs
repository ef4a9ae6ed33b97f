//! The OpenAPI document against the running server, with a real HTTP client over loopback:
//! every documented operation is called with its documented example and must answer a
//! documented status with the documented `"schema"`; undocumented methods are refused.

use serde_json::Value;

async fn start() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let app = stemma_server::app(stemma_server::Config::new(dir.path().join("index"))).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { stemma_server::serve(listener, app).await.unwrap() });
    (dir, base)
}

/// Example values of an operation's parameters (path and query).
fn fill(path: &str, op: &Value, shared: &Value) -> String {
    let mut path = path.to_string();
    let mut query = Vec::new();
    let params = op["parameters"]
        .as_array()
        .into_iter()
        .chain(shared.as_array())
        .flatten();
    for p in params {
        let (name, place) = (p["name"].as_str().unwrap(), p["in"].as_str().unwrap());
        let Some(example) = p["example"].as_str() else {
            assert!(
                p["required"] != true,
                "required parameter {name} has no example"
            );
            continue;
        };
        match place {
            "path" => path = path.replace(&format!("{{{name}}}"), example),
            "query" => query.push(format!("{name}={example}")),
            other => panic!("parameter in {other}"),
        }
    }
    if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_does_what_the_document_says() {
    let (_dir, base) = start().await;
    let client = reqwest::Client::new();
    let doc: Value = client
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();

    // Writes first (so that reads by id find something), deletes last.
    let order = |m: &str| match m {
        "post" => 0,
        "get" => 1,
        _ => 2,
    };
    let mut ops = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if method != "parameters" {
                ops.push((order(method), path.clone(), method.clone(), op.clone()));
            }
        }
    }
    ops.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    // The add must run before the other posts (trace needs a corpus).
    ops.sort_by_key(|(o, p, _, _)| (*o, p != "/api/documents"));
    assert!(ops.len() >= 10, "{} operations", ops.len());

    for (_, path, method, op) in &ops {
        let url = format!("{base}{}", fill(path, op, &paths[path]["parameters"]));
        let mut request = client.request(method.to_uppercase().parse().unwrap(), &url);
        if let Some(example) = op["requestBody"]["content"]["application/json"].get("example") {
            request = request.json(example);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16().to_string();
        let csp = response
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string());
        let body = response.text().await.unwrap();
        let documented = &op["responses"][&status];
        assert!(
            documented.is_object(),
            "{method} {url}: status {status} not documented: {body}"
        );
        assert!(status.starts_with('2'), "{method} {url}: {status} {body}");
        assert!(csp.is_some(), "{method} {url}: no CSP");
        if let Some(schema) = documented["x-stemma-schema"].as_str() {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["schema"], schema, "{method} {url}");
            assert_eq!(
                documented["content"]["application/json"]["schema"]["properties"]["schema"]
                    ["const"],
                schema
            );
        }
        // format=html where documented: the report.
        if documented["content"].get("text/html").is_some() {
            let sep = if url.contains('?') { '&' } else { '?' };
            let mut request = client.request(
                method.to_uppercase().parse().unwrap(),
                format!("{url}{sep}format=html"),
            );
            if let Some(example) = op["requestBody"]["content"]["application/json"].get("example") {
                request = request.json(example);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{method} {url} as html");
            let text = response.text().await.unwrap();
            assert!(text.starts_with("<!DOCTYPE html>"), "{method} {url}");
        }
    }

    // What the document does not list, the server does not do.
    for (path, item) in paths {
        let concrete = fill(path, &Value::Null, &item["parameters"]);
        for method in ["get", "post", "delete", "put", "patch"] {
            if item.get(method).is_none() {
                let status = client
                    .request(
                        method.to_uppercase().parse().unwrap(),
                        format!("{base}{concrete}"),
                    )
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, 405, "{method} {path}");
            }
        }
    }
    let status = client
        .get(format!("{base}/api/nothing-here"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
}
