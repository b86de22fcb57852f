from tests.helpers import text


def test_home_lists_communities(client, community):
    response = client.get("/")
    assert response.status_code == 200
    assert community.name in text(response)
