#pragma once

#include "inventory/project.h"
#include "inventorypanes/inventorypane.h"

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace rd {

class ProjectTableModel;

class ProjectsPane : public InventoryPane
{
    Q_OBJECT

public:
    explicit ProjectsPane(InventoryStore &store, QWidget *parent = nullptr);

    void reload() override;
    int itemCount() const override;

protected:
    QList<Error> validateForm() const override;
    void loadForm(qint64 id) override;
    Result<qint64> saveForm(qint64 id) override;
    Result<> removeItem(qint64 id) override;

private:
    Project formProject() const;

    ProjectTableModel *m_projects;
    QLineEdit *m_name;
    QLineEdit *m_gitUrl;
    QCheckBox *m_allowUnauthenticated;
    QLineEdit *m_branch;
    QSpinBox *m_keep;
    QPlainTextEdit *m_excludes;
};

} // namespace rd
