# Reference SigV4 signatures from botocore (pip), for Tests/TesseraRemoteTests/SigV4Tests.swift.
import datetime, hashlib, unittest.mock as m
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
creds = Credentials('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')
def sign(method, url, headers, body=b'', when=datetime.datetime(2013, 5, 24, 0, 0, 0)):
    req = AWSRequest(method=method, url=url, headers=headers, data=body)
    req.headers['X-Amz-Content-SHA256'] = hashlib.sha256(body).hexdigest()
    with m.patch('botocore.auth.get_current_datetime', return_value=when):
        S3SigV4Auth(creds, 's3', 'us-east-1').add_auth(req)
    return req.headers['Authorization']
print(sign('GET', 'https://examplebucket.s3.amazonaws.com/test.txt', {'Range': 'bytes=0-9'}))
print(sign('GET', 'http://127.0.0.1:8333/my-bucket?continuation-token=a%2Bb%3D&list-type=2&prefix=ds%2Fpacks%2F', {}))
print(sign('PUT', 'http://127.0.0.1:8333/my-bucket/ds/packs/pack-1.tpk?partNumber=2&uploadId=abc%2Fdef', {}, body=b'hello world'))
