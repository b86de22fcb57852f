from flask import Blueprint

bp = Blueprint("mentoring", __name__)
