from django.contrib import admin

from measures.models import Measure


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reply", "level", "position"]
    list_filter = ["level", "reply__assignment__agency"]
    search_fields = ["heading", "paragraphs", "reply__title"]
    autocomplete_fields = ["reply", "parent"]
