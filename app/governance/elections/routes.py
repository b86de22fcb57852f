from flask import Blueprint

bp = Blueprint("elections", __name__)
