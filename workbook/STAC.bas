Attribute VB_Name = "STAC"
' STAC ribbon dispatcher (stac_xl). Every button in customUI.xml calls OnAction; the button
' id is the action name that stac_xl.excel.ribbon.dispatch runs in Python. This module is meant to
' stay frozen: a new button needs customUI.xml and a Python handler, never a VBA change.
Option Explicit

Public Sub OnAction(control As IRibbonControl)
    RunAction control.Id
End Sub

Public Sub RunAction(actionId As String)
    ' Also called through Application.Run by install.ps1's self-test and the smoke test.
    ' RunPython reads ActiveWorkbook.FullName and .Name, so it fails without an open workbook.
    ' New workbook is the natural first click: give it an empty book, which Python lays out.
    If ActiveWorkbook Is Nothing Then
        If actionId <> "new_workbook" Then
            MsgBox "Open a workbook first, or click New workbook.", vbInformation, "ServiceTrade"
            Exit Sub
        End If
        Workbooks.Add
    End If
    RunPython "import stac_xl.excel.ribbon; stac_xl.excel.ribbon.dispatch('" & actionId & "')"
End Sub

Public Function SelfTest() As String
    ' install.ps1 calls this through Application.Run: a result proves Excel compiled the
    ' project, and the version must match the xlwings package installed in the venv.
    SelfTest = "STAC ok; xlwings " & XLWINGS_VERSION
End Function
