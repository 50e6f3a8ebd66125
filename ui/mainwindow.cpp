#include "mainwindow.h"

namespace rd {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("ReleaseDesk"));
}

} // namespace rd
