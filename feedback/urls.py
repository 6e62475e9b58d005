from feedback import urls_dashboard, urls_outcomes, urls_reports

app_name = "feedback"

urlpatterns = [*urls_reports.urlpatterns, *urls_outcomes.urlpatterns, *urls_dashboard.urlpatterns]
